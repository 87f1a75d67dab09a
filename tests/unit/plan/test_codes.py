"""Every diagnostic a plan can give (SG201-SG216, SG220-SG226, SG230-SG240) is produced by
some test of this suite."""

from __future__ import annotations

import pytest

from app.spec.diagnostics import Code
from tests.verdicts import whole_suite_codes

from .conftest import COMPLETE

PLANNING = [code for code in Code if code.value >= "SG200"]


def test_every_planning_code_is_produced_by_some_test(pytestconfig: pytest.Config) -> None:
    """Runs last (see conftest.py); the codes are those of every plan the other tests made."""
    if not pytestconfig.stash.get(COMPLETE, False):
        pytest.skip("only meaningful when the whole plan suite runs")
    assert [code.value for code in PLANNING] == [
        f"SG2{n:02}" for n in (*range(1, 17), *range(20, 27), *range(30, 41))
    ]
    seen = whole_suite_codes(pytestconfig)  # every worker's plans when the run is split
    assert sorted(set(PLANNING) - seen) == []
