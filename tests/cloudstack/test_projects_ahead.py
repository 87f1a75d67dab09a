"""A plan reads listProjects ahead of the rest of the catalog (issue 20, round trips): the
projects' lists wait only for it, so they are on the wire while the catalog's slowest list
is, and a plan's read is one round trip shorter. Same reads, same calls, same LiveState."""

from __future__ import annotations

import dataclasses
from collections import Counter
from typing import Any

import pytest
from pydantic import SecretStr

from app.cloudstack.clouds import Clouds
from app.cloudstack.live import read_live
from app.cloudstack.model import LiveState
from app.config import CloudSettings, Settings
from app.sandbox.server import RunningSandbox, apply_knobs
from tests.cloudstack.conftest import API_KEY, SECRET_KEY
from tests.cloudstack.test_concurrent_reads import _rich
from tests.cloudstack.test_inventory import REPO

# two projects the repo has, and one it creates (the tenancy reads go with the projects')
WANTED = {"dc1": ["payments", "search", "brand-new"]}


def _read(sandbox: RunningSandbox, concurrency: int) -> LiveState:
    cloud = CloudSettings(
        url=sandbox.url, api_key=SecretStr(API_KEY), secret_key=SecretStr(SECRET_KEY)
    )
    settings = Settings(clouds={"dc1": cloud}, apply_concurrency=concurrency)
    with Clouds(settings) as clouds:
        live = read_live(clouds, REPO, WANTED, include_managed=True)
    return dataclasses.replace(live, seconds=0.0)


def _answered(sandbox: RunningSandbox, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The commands in the order the sandbox answers them."""
    answered: list[str] = []
    handle = sandbox.api.handle

    def recording(raw: dict[str, Any]) -> Any:
        answered.append(str(raw.get("command")))
        return handle(raw)

    monkeypatch.setattr(sandbox.api, "handle", recording)
    return answered


def test_the_projects_are_read_while_the_rest_of_the_catalog_is_on_the_wire(
    sandbox: RunningSandbox, client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    _rich(client)
    answered = _answered(sandbox, monkeypatch)
    alone = _read(sandbox, concurrency=1)
    calls_alone, answered[:] = Counter(answered), []
    apply_knobs(sandbox.api, {"latency": {"listZones": 1.0}})  # the catalog's last answer
    side_by_side = _read(sandbox, concurrency=8)
    assert side_by_side == alone
    assert Counter(answered) == calls_alone and side_by_side.api_calls == alone.api_calls
    assert ("instance", "web-1") in side_by_side.projects["payments"].objects
    assert list(side_by_side.project_defaults) == ["dc1"]  # read for the project it creates
    # the projects' lists and the new project's tenancy reads were answered before listZones
    for command in ("listVirtualMachines", "listNetworks", "listPublicIpAddresses"):
        assert answered.index(command) < answered.index("listZones"), answered
    assert answered.index("listConfigurations") < answered.index("listZones"), answered
