"""The verdict of the whole suite's GitHub checks (tests/fakes/github_openapi.py); it runs last,
so a violation outside any test (a fixture's setup or teardown) fails the run as well."""

from __future__ import annotations

import pytest

from tests.verdicts import whole_suite_violations


def test_the_github_fake_held_to_github_all_suite(request: pytest.FixtureRequest) -> None:
    violations = whole_suite_violations(request.config)  # every worker's when the run is split
    found = sorted({(violation.test, violation.what) for violation in violations})
    assert found == [], "not as GitHub documents it: " + "\n".join(map(repr, found))
