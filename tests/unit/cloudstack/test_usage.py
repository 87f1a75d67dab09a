"""Quota snapshots from listProjects, as old and current management servers write them."""

from __future__ import annotations

import json
from pathlib import Path

from app.cloudstack.model import Quota
from app.cloudstack.usage import parse_project

RECORDED = Path(__file__).parents[2] / "payloads" / "cloudstack" / "listProjects.json"


def test_a_recorded_project_with_numeric_limits_and_unlimited() -> None:
    row = json.loads(RECORDED.read_text())["listprojectsresponse"]["project"][0]
    usage = parse_project(row)
    assert usage.project == "ExampleProjectName"
    assert usage.quotas["cpu"] == Quota(used=14, limit=32, unit="count")
    assert usage.quotas["memory"] == Quota(used=56000, limit=128000, unit="MiB")
    assert usage.quotas["primary_storage"] == Quota(used=396, limit=1600, unit="GiB")
    assert usage.quotas["networks"] == Quota(used=0, limit=None, unit="count")
    assert usage.quotas["networks"].available is None
    assert usage.quotas["instances"].available == 1


def test_current_servers_write_limits_as_strings() -> None:
    row = {
        "id": "p1",
        "name": "p",
        "vmlimit": "20",
        "vmtotal": 3,
        "vmavailable": "17",
        "secondarystoragelimit": "Unlimited",
        "secondarystoragetotal": 1.0,
        "memorylimit": "-1",
        "memorytotal": 0,
    }
    usage = parse_project(row)
    assert usage.quotas["instances"] == Quota(used=3, limit=20, unit="count")
    assert usage.quotas["secondary_storage"] == Quota(used=1, limit=None, unit="GiB")
    assert usage.quotas["memory"].limit is None
    assert "cpu" not in usage.quotas
