"""Suite-wide options and the secrets scan.

`pytest --update-golden` rewrites the expected outputs in tests/golden. Every run scans what
stackgate says for the secrets the tests configure (tests/leaks.py); the scan's own test runs
last.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.leaks import CHANNELS, SCANNER, watch

LAST = "tests/test_no_secret_leaked.py::test_no_secret_leaked_anywhere_in_the_suite"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", help="rewrite golden files")


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


watch(SCANNER)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The scan's verdict comes after everything it scans."""
    last = [item for item in items if item.nodeid == LAST]
    items[:] = [item for item in items if item.nodeid != LAST] + last


def pytest_terminal_summary(terminalreporter: Any) -> None:
    seen = ", ".join(f"{SCANNER.seen[channel]} {channel}" for channel in CHANNELS)
    terminalreporter.write_line(
        f"secrets scan: {len(SCANNER.secrets)} secrets against {seen} texts; "
        f"{len(SCANNER.leaks)} leak(s)"
    )
