"""A plan over several clouds reads them side by side, and one cloud that cannot be read is
reported without taking the others' projects with it."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from pydantic import SecretStr

from app.cloudstack.clouds import Clouds
from app.cloudstack.errors import Unreachable
from app.cloudstack.live import read_live
from app.config import CloudSettings, Settings
from app.sandbox.launch import build_api
from app.sandbox.server import RunningSandbox, serve_in_background
from tests.cloudstack.conftest import API_KEY, SECRET_KEY


def _closed_url() -> str:
    with socket.socket() as probe:  # a port just freed: nothing answers there
        probe.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{probe.getsockname()[1]}/client/api"


def _cloud(url: str) -> CloudSettings:
    return CloudSettings(url=url, api_key=SecretStr(API_KEY), secret_key=SecretStr(SECRET_KEY))


@pytest.fixture
def second() -> Iterator[RunningSandbox]:
    running = serve_in_background(build_api(api_key=API_KEY, secret_key=SECRET_KEY))
    yield running
    running.stop()


def _meet_first(sandbox: RunningSandbox, barrier: threading.Barrier, broken: list[str]) -> None:
    """The sandbox's first call waits until the other sandbox has a call in flight too: only
    a reader that reads both clouds at once gets past it."""
    handle: Callable[[dict[str, str]], tuple[int, dict[str, Any]]] = sandbox.api.handle
    first = threading.Event()

    def meeting(raw: dict[str, str]) -> tuple[int, dict[str, Any]]:
        if not first.is_set():
            first.set()
            try:
                barrier.wait()
            except threading.BrokenBarrierError:
                broken.append(sandbox.url)
        return handle(raw)

    sandbox.api.handle = meeting  # type: ignore[method-assign]


def test_a_plan_over_two_clouds_reads_both_at_once(
    sandbox: RunningSandbox, second: RunningSandbox
) -> None:
    barrier, broken = threading.Barrier(2, timeout=10), list[str]()
    for running in (sandbox, second):
        _meet_first(running, barrier, broken)
    settings = Settings(clouds={"dc1": _cloud(sandbox.url), "dc2": _cloud(second.url)})
    with Clouds(settings) as clouds:
        live = read_live(clouds, "repo", {"dc1": ["payments"], "dc2": ["search"]})
    assert broken == []
    assert sorted(live.catalogs) == ["dc1", "dc2"] and live.unreachable == {}
    assert (live.projects["payments"].cloud, live.projects["search"].cloud) == ("dc1", "dc2")


def test_an_unreachable_cloud_is_reported_and_the_others_projects_still_read(
    sandbox: RunningSandbox,
) -> None:
    gone = _closed_url()
    settings = Settings(clouds={"dc1": _cloud(sandbox.url), "dc2": _cloud(gone)})
    wanted = {"dc1": ["payments"], "dc2": ["search"], "dc3": ["shop"]}
    with Clouds(settings) as clouds:
        live = read_live(clouds, "repo", wanted, outages_raise=False)
        assert sorted(live.unreachable) == ["dc2", "dc3"]
        assert "not configured" in live.unreachable["dc3"]
        assert list(live.projects) == ["payments"] and list(live.catalogs) == ["dc1"]
        with pytest.raises(Unreachable):
            read_live(clouds, "repo", wanted)
