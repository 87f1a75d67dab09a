"""A sandbox of each test's own, the stackgate command pointed at it, and `cs` to fill it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from app.sandbox.launch import build_api
from app.sandbox.server import RunningSandbox, serve_in_background
from tests.sandbox.conftest import API_KEY, SECRET_KEY, signed_cs


@pytest.fixture
def sandbox(monkeypatch: pytest.MonkeyPatch) -> Iterator[RunningSandbox]:
    running = serve_in_background(build_api(api_key=API_KEY, secret_key=SECRET_KEY))
    monkeypatch.delenv("STACKGATE_SANDBOX_STATE", raising=False)
    monkeypatch.setenv("STACKGATE_CLOUDSTACK_URL", running.url)
    monkeypatch.setenv("STACKGATE_CLOUDSTACK_API_KEY", API_KEY)
    monkeypatch.setenv("STACKGATE_CLOUDSTACK_SECRET_KEY", SECRET_KEY)
    yield running
    running.stop()


@pytest.fixture
def cs(sandbox: RunningSandbox) -> Iterator[Any]:
    yield from signed_cs(sandbox, poll_interval=0.05, fetch_result=True)
