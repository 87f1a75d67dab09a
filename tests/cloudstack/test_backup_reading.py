"""Templates and snapshot policies read back by tags, through the real client and the sandbox."""

from __future__ import annotations

import time
from typing import Any

from app.cloudstack.backup_reading import policy_rows
from app.cloudstack.catalog import read_catalog
from app.cloudstack.client import CloudStackClient
from app.cloudstack.inventory import read_project, read_projects
from app.imports.cloud import read_rows
from app.sandbox.server import RunningSandbox, apply_knobs
from tests.cloudstack.builders import Builder
from tests.cloudstack.test_inventory import CALLS, REPO

URL = "https://images.example.com/golden.qcow2"
CHECKSUM = "{SHA-256}" + "ab" * 32


def _template(build: Builder, name: str, zones: list[str]) -> str:
    zone_ids = [build.catalog_id("listZones", zone) for zone in zones]
    os_type = build.client.list("listOsTypes", description="Debian GNU/Linux 12")[0]["id"]
    answer = build.client.request(
        "registerTemplate",
        name=name,
        displaytext="the golden image",
        url=URL,
        checksum=CHECKSUM,
        format="QCOW2",
        hypervisor="KVM",
        ostypeid=os_type,
        zoneids=",".join(zone_ids),
        projectid=build.project_id,
    )
    template_id = str(answer["template"][0]["id"])
    build.tag("template", "Template", template_id, name)
    return template_id


def _policy(build: Builder, volume_id: str, name: str, **params: Any) -> str:
    """A daily policy tagged with the repo and key, in createSnapshotPolicy's own call."""
    tags = {"stackgate.repo": build.repo, "stackgate.key": f"snapshot_policy/{name}"}
    daily = {"intervaltype": "daily", "schedule": "30:02", "timezone": "Europe/Berlin"}
    answer = build.client.request(
        "createSnapshotPolicy",
        volumeid=volume_id,
        **{**daily, "maxsnaps": 7, **params},
        tags=[{"key": key, "value": value} for key, value in tags.items()],
    )
    return str(answer["snapshotpolicy"]["id"])


def _root(build: Builder, vm_id: str) -> str:
    rows = build.client.list("listVolumes", virtualmachineid=vm_id, projectid=build.project_id)
    return str(next(row["id"] for row in rows if row["type"] == "ROOT"))


def _backups(client: CloudStackClient, repo: str = REPO) -> Builder:
    build = Builder(client, repo, "payments")
    vm = build.instance("web-1", build.network("app-net"))
    data = build.volume("web-1-data", 100, vm)
    _template(build, "golden", ["zone-b", "zone-a"])
    _policy(build, data, "web-1-data")
    _policy(build, _root(build, vm), "web-1:root", intervaltype="hourly", schedule="15")
    return build


def test_templates_and_policies_are_read_in_the_repo_formats_terms(
    client: CloudStackClient,
) -> None:
    _backups(client)
    live = read_project(client, REPO, read_catalog(client).projects["payments"])
    fields = {key: dict(obj.fields) for key, obj in live.objects.items()}
    assert fields[("template", "golden")] == {
        "url": URL,
        "checksum": CHECKSUM,
        "format": "QCOW2",
        "hypervisor": "KVM",
        "os_type": "Debian GNU/Linux 12 (64-bit)",
        "zones": ["zone-a", "zone-b"],  # one object, listed once per zone
        "description": "the golden image",
        "download_error": None,
    }
    assert fields[("snapshot_policy", "web-1-data")] == {
        "volume": "web-1-data",
        "interval": "daily",
        "schedule": "30:02",
        "timezone": "Europe/Berlin",
        "keep": 7,
    }
    assert fields[("snapshot_policy", "web-1:root")] == {
        "root_of": "web-1",
        "interval": "hourly",
        "schedule": "15",
        "timezone": "Europe/Berlin",
        "keep": 7,
    }
    assert live.duplicates == ()


def test_policies_cost_one_list_of_tags_and_one_call_each_of_this_repos(
    client: CloudStackClient,
) -> None:
    """CloudStack lists policies by volume only; the tags find the repo's ones in one call,
    another repo's are known by their tags, and untagged ones are not read at all."""
    build = _backups(client)
    other = Builder(client, "git@example.com:someone/else", "payments")
    vm = client.list("listVirtualMachines", name="web-1", projectid=build.project_id)[0]["id"]
    theirs = other.volume("their-data", 10, vm)  # attached: a policy needs a Ready volume
    _policy(other, theirs, "their-data")
    hand_made = build.volume("hand-made", 10, vm)
    client.request(
        "createSnapshotPolicy",
        volumeid=hand_made,
        intervaltype="weekly",
        schedule="00:03:1",
        timezone="UTC",
        maxsnaps=2,
    )
    project = read_catalog(client).projects["payments"]
    before = sum(client.calls.values())
    live = read_project(client, REPO, project)
    assert sum(client.calls.values()) - before == CALLS + 2  # the repo's two policies
    assert client.calls["listSnapshotPolicies"] == 2
    assert [(o.kind, o.name) for o in live.foreign if o.kind == "snapshot_policy"] == [
        ("snapshot_policy", "their-data")
    ]
    assert not [o for o in live.untagged if o.kind == "snapshot_policy"]


def test_a_sweep_of_many_projects_reads_each_ones_templates_and_policies(
    client: CloudStackClient,
) -> None:
    _backups(client)
    projects = read_catalog(client).projects
    refs = [projects["payments"], projects["search"], projects["analytics"]]
    live = read_projects(client, REPO, refs)
    assert ("template", "golden") in live["payments"].objects
    assert ("snapshot_policy", "web-1:root") in live["payments"].objects
    assert live["payments"].objects == read_project(client, REPO, projects["payments"]).objects
    assert live["search"].objects == {}


def test_the_repos_policies_are_read_side_by_side(
    sandbox: RunningSandbox, client: CloudStackClient
) -> None:
    build = _backups(client)
    vm = client.list("listVirtualMachines", name="web-1", projectid=build.project_id)[0]["id"]
    _policy(build, build.volume("logs", 10, vm), "logs")
    apply_knobs(sandbox.api, {"latency": {"listSnapshotPolicies": 0.2}})
    sandbox.api.most_in_flight = 0
    rows = policy_rows(client, {"projectid": build.project_id}, REPO)
    assert len(rows) == 3 and sandbox.api.most_in_flight == 3


def test_an_import_reads_every_volumes_policies_side_by_side(
    sandbox: RunningSandbox, client: CloudStackClient
) -> None:
    """An import wants untagged policies too: one listSnapshotPolicies per volume, gathered,
    so three volumes held 0.6 s each are read in about 0.6 s, not 1.8 s."""
    build = _backups(client)
    vm = client.list("listVirtualMachines", name="web-1", projectid=build.project_id)[0]["id"]
    build.volume("logs", 10, vm)
    project = read_catalog(client).projects["payments"]
    apply_knobs(sandbox.api, {"latency": {"listSnapshotPolicies": 0.6}})
    started = time.monotonic()
    (rows,) = read_rows(client, [project]).values()
    assert time.monotonic() - started < 1.5
    assert len(rows.rows["snapshot_policy"]) == 2  # the logs volume has none
