"""A template registered by hand in two zones, a VM booted from it with a policy on its root
disk and a data volume with two policies, all untagged: `stackgate import` writes the template
once with its zones (and leaves out one whose download failed) and one policy per disk, the
plan adopts the template and makes the policies (createSnapshotPolicy takes the volume's
policy of the interval), apply tags them where they are, and the next plan is empty."""

from __future__ import annotations

from pathlib import Path

from tests.apply.brownfield import ByHand, changes, imported
from tests.apply.cloud import env_for, knobs, stackgate
from tests.apply.test_apply_backups import policies
from tests.unit.plan.test_backups import SHA


def test_hand_made_templates_and_policies_are_imported_and_adopted(
    sandbox: str, tmp_path: Path
) -> None:
    hand = ByHand(sandbox)
    cs, project = hand.cs, hand.project
    zones = {z["name"]: z["id"] for z in cs.listZones()["zone"]}
    os_type = cs.listOsTypes(description="Rocky Linux 9")["ostype"][0]["id"]
    (golden, _) = cs.registerTemplate(
        name="golden", displaytext="golden", url="https://images.example.com/g.qcow2",
        checksum=SHA, format="QCOW2", hypervisor="KVM", ostypeid=os_type,
        zoneids=f"{zones['zone-a']},{zones['zone-b']}", projectid=project,
    )["template"]  # fmt: skip
    while not cs.listTemplates(templatefilter="self", id=golden["id"], projectid=project)[
        "template"
    ][0]["isready"]:
        pass
    failure = {"command": "registerTemplate", "count": 1, "errorcode": 530, "in_job": True}
    knobs(sandbox, fail_next=[{**failure, "errortext": "HTTP Server returned 404"}])
    cs.registerTemplate(
        name="broken", displaytext="broken", url="https://images.example.com/gone.qcow2",
        checksum=SHA, format="QCOW2", hypervisor="KVM", ostypeid=os_type,
        zoneids=zones["zone-a"], projectid=project,
    )  # fmt: skip
    network = hand.network("app-net")
    vm = cs.deployVirtualMachine(
        name="web-1", zoneid=zones["zone-a"], serviceofferingid=hand.sizes["small"],
        projectid=project, templateid=golden["id"], networkids=network["id"],
    )["virtualmachine"]  # fmt: skip
    standard = cs.listDiskOfferings(name="standard")["diskoffering"][0]["id"]
    data = cs.createVolume(
        name="data", zoneid=zones["zone-a"], diskofferingid=standard, size=20,
        projectid=project,
    )["volume"]  # fmt: skip
    cs.attachVolume(id=data["id"], virtualmachineid=vm["id"])
    root = cs.listVolumes(virtualmachineid=vm["id"], type="ROOT", projectid=project)
    made = [
        (root["volume"][0]["id"], "WEEKLY", "30:03:1", "Europe/Berlin", 4),
        (data["id"], "DAILY", "30:02", "UTC", 7),
        (data["id"], "MONTHLY", "00:01:28", "UTC", 2),  # the repo format takes one
    ]
    for volume, interval, schedule, timezone, keep in made:
        cs.createSnapshotPolicy(
            volumeid=volume, intervaltype=interval, schedule=schedule, timezone=timezone,
            maxsnaps=keep,
        )  # fmt: skip

    env = env_for(sandbox, tmp_path)
    repo = tmp_path / "repo"
    done, desired = imported(env, repo)
    assert "a second policy on the disk" in done.stdout, done.stdout[-3000:]
    assert "its download failed (HTTP Server returned 404)" in done.stdout
    payments = desired.projects["payments"]
    template = payments.templates["golden"]
    assert (template.zones, template.checksum, template.os_type) == (
        ["zone-a", "zone-b"],
        SHA,
        "Rocky Linux 9",
    )
    web = payments.instances["web-1"]
    assert web.template == "golden" and web.snapshot_policy is not None
    assert (web.snapshot_policy.schedule, web.snapshot_policy.time) == ("weekly", "03:30")
    assert (web.snapshot_policy.day_of_week, web.snapshot_policy.keep) == ("sunday", 4)
    daily = payments.volumes["data"].snapshot_policy
    assert daily is not None and (daily.schedule, daily.time, daily.keep) == ("daily", "02:30", 7)

    assert [c for c in changes(env, repo) if c[1] not in ("network", "public_ip")] == [
        ("adopt", "instance", "web-1"),
        ("adopt", "template", "golden"),
        ("adopt", "volume", "data"),
        ("create", "snapshot_policy", "data"),
        ("create", "snapshot_policy", "web-1:root"),
    ]
    applied = stackgate(env, "apply", str(repo), "--auto-approve")
    assert applied.returncode == 0, applied.stdout[-3000:]
    assert changes(env, repo) == []
    assert policies(sandbox)["web-1:root"] == (2, "30:03:1", "Europe/Berlin", 4)
    listed = cs.listSnapshotPolicies(volumeid=data["id"])["snapshotpolicy"]
    # the daily one taken and tagged, none made beside it; the monthly one left alone
    assert sorted((p["intervaltype"], p["maxsnaps"], bool(p["tags"])) for p in listed) == [
        (1, 7, True),
        (3, 2, False),
    ]
