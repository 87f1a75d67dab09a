"""The verdict of the whole-suite secrets scan (tests/leaks.py); it runs last (under
pytest-xdist, after every worker's other tests: tests/verdicts.py)."""

from __future__ import annotations

import pytest

from tests.leaks import CHANNELS
from tests.verdicts import whole_suite_scan

WHOLE_SUITE = 500  # fewer tests collected: a partial run, whose channels may stay quiet


def test_no_secret_leaked_anywhere_in_the_suite(request: pytest.FixtureRequest) -> None:
    scanner = whole_suite_scan(request.config)  # every worker's scan when the run is split
    leaks = sorted({(leak.channel, leak.where, leak.secret) for leak in scanner.leaks})
    assert leaks == [], "secrets reached what people or logs see: " + repr(leaks)
    if len(request.session.items) >= WHOLE_SUITE:  # every channel was watched, not just wired
        quiet = [channel for channel in CHANNELS if scanner.seen[channel] == 0]
        assert quiet == [], f"nothing was scanned on {quiet}"
        assert len(scanner.secrets) >= 10, "too few secrets registered for the scan to mean much"
