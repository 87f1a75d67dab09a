"""The verdict of the whole suite's GitHub checks (tests/fakes/github_openapi.py); it runs last,
so a violation outside any test (a fixture's setup or teardown) fails the run as well."""

from __future__ import annotations

from tests.fakes.github_openapi import LEDGER


def test_the_github_fake_held_to_github_all_suite() -> None:
    found = sorted({(violation.test, violation.what) for violation in LEDGER.found})
    assert found == [], "not as GitHub documents it: " + "\n".join(map(repr, found))
