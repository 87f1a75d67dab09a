"""Suite-wide options and the secrets scan.

`pytest --update-golden` rewrites the expected outputs in tests/golden. Every run scans what
stackgate says for the secrets the tests configure (tests/leaks.py); the scan's own test runs
last.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.leaks import CHANNELS, SCANNER, answers_of, watch_logs, watch_processes

LAST = "tests/test_no_secret_leaked.py::test_no_secret_leaked_anywhere_in_the_suite"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", help="rewrite golden files")


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


def _watch() -> None:
    """Wire the scan in before any test module (or lower conftest) imports what it wraps."""
    import app.main
    from app.cloudstack.sandbox.api import Api
    from app.config import Settings

    watch_logs(SCANNER)
    watch_processes(SCANNER)

    settings_init = Settings.__init__
    settings_validate = Settings.model_validate

    def init(self: Settings, *args: Any, **kwargs: Any) -> None:
        settings_init(self, *args, **kwargs)
        SCANNER.settings(self)

    def validate(obj: Any, **kwargs: Any) -> Settings:
        made = settings_validate(obj, **kwargs)
        SCANNER.settings(made)
        return made

    Settings.__init__ = init  # type: ignore[method-assign, assignment]
    Settings.model_validate = validate  # type: ignore[method-assign]

    api_init = Api.__init__

    def sandbox(self: Api, *args: Any, **kwargs: Any) -> None:
        api_init(self, *args, **kwargs)
        SCANNER.secret("sandbox api key", self.state.api_key)
        SCANNER.secret("sandbox secret key", self.state.secret_key)

    Api.__init__ = sandbox  # type: ignore[method-assign]

    create_app = app.main.create_app

    def scanned_app(*args: Any, **kwargs: Any) -> Any:
        made = create_app(*args, **kwargs)
        made.add_middleware(_Answers)
        return made

    app.main.create_app = scanned_app


_watch()


class _Answers:
    """Starlette's middleware shape around tests/leaks.answers_of."""

    def __init__(self, app: Any) -> None:
        self.scanned = answers_of(app, SCANNER)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await self.scanned(scope, receive, send)


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
