"""Suite-wide options and the secrets scan.

`pytest --update-golden` rewrites the expected outputs in tests/golden. Every run scans what
stackgate says for the secrets the tests configure (tests/leaks.py); the scan's own test runs
last.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.fakes.github_openapi import LEDGER
from tests.leaks import CHANNELS, SCANNER, watch
from tests.verdicts import KEY, publish, remove_shared_folder, shared_folder, whole_suite_scan

# The whole-suite verdicts, after everything they judge.
LAST = (
    "tests/forges/github/test_openapi_verdict.py::test_the_github_fake_held_to_github_all_suite",
    "tests/test_no_secret_leaked.py::test_no_secret_leaked_anywhere_in_the_suite",
)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", help="rewrite golden files")


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


watch(SCANNER)


# The modules whose tests take minutes, slowest first: they start the run, so that under
# pytest-xdist the other worker takes the many short tests meanwhile instead of one worker
# being left with a long test at the end.
SLOW_FIRST = (
    "tests/scenarios/test_worker_kills.py",
    "tests/scenarios/test_edge_fuzz.py",
    "tests/apply/test_apply_command.py",
    "tests/apply/test_apply_faults.py",
    "tests/scenarios/test_scale_out.py",
    "tests/policy/test_default_policies.py",
    "tests/scenarios/test_failures.py",
    "tests/apply/test_apply_projects.py",
    "tests/unit/spec/test_property.py",
    "tests/apply/test_apply_backups.py",
    "tests/policy/test_repo_policies.py",
    "tests/apply/test_apply_kubernetes_lifecycle.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The slowest modules come first, and the verdicts after everything they judge."""

    def rank(item: pytest.Item) -> int:
        module = item.nodeid.split("::")[0]
        return SLOW_FIRST.index(module) if module in SLOW_FIRST else len(SLOW_FIRST)

    last = [item for item in items if item.nodeid in LAST]
    items[:] = sorted((item for item in items if item.nodeid not in LAST), key=rank) + last


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    """pytest-xdist: every worker writes its findings to the run's one folder."""
    node.workerinput[KEY] = str(shared_folder(node.config))


def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.nodeid in LAST:
        publish(item.config)  # everything this worker ran before its verdicts is done


def pytest_sessionfinish(session: pytest.Session) -> None:
    publish(session.config)


def pytest_unconfigure(config: pytest.Config) -> None:
    remove_shared_folder(config)


@pytest.fixture(autouse=True)
def github_spec_held(request: pytest.FixtureRequest) -> Iterator[None]:
    """A request to the GitHub fake that GitHub would refuse, or an answer or delivery of the
    fake's that GitHub documents otherwise (tests/fakes/github_openapi.py), fails its test."""
    start, LEDGER.test = len(LEDGER.found), request.node.nodeid
    yield
    LEDGER.test = ""
    wrong = sorted({violation.what for violation in LEDGER.since(start)})
    if wrong:
        pytest.fail("not as GitHub documents it:\n" + "\n".join(wrong), pytrace=False)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if hasattr(terminalreporter.config, "workerinput"):
        return  # the controller prints the line for the whole run
    scanner = whole_suite_scan(terminalreporter.config)
    seen = ", ".join(f"{scanner.seen[channel]} {channel}" for channel in CHANNELS)
    terminalreporter.write_line(
        f"secrets scan: {len(scanner.secrets)} secrets against {seen} texts; "
        f"{len(scanner.leaks)} leak(s)"
    )
