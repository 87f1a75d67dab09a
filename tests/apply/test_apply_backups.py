"""Templates and snapshot policies through `stackgate apply` on a sandbox process: registered
(the download awaited) and booted from, changed in place and replaced, drift found and healed,
deleted, and an apply killed mid-registration resumed without a second template. Each step
ends with a plan that has nothing left to do."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from tests.apply.cloud import converged, env_for, knobs, stackgate
from tests.apply.test_apply_affinity_nat import applied, calls, client, edit, make_repo, planned
from tests.apply.test_apply_nat_in_flight import _killed_in_flight, _wait_for
from tests.unit.plan.test_backups import DAILY, GOLDEN

PROJECT = f"""\
project: payments
zone: zone-a
networks:
  app-net: {{offering: DefaultIsolatedNetworkOfferingWithSourceNatService, cidr: 10.1.0.0/24}}
{GOLDEN}instances:
  web-1:
    offering: small
    template: golden
    networks: [app-net]
    snapshot_policy: {{schedule: hourly, minute: 15, keep: 4}}
volumes:
  web-1-data:
    offering: standard
    size: 20GiB
    attach_to: web-1
    snapshot_policy: {DAILY}
"""
DATA = "payments/snapshot_policy/web-1-data"


def templates(sandbox: str) -> dict[str, dict[str, Any]]:
    listed = client(sandbox).listTemplates(templatefilter="self", projectid=-1, listall=True)
    return {t["name"]: t for t in listed.get("template", [])}


def policies(sandbox: str) -> dict[str, tuple[int, str, str, int]]:
    """Volume name (root disks as <vm>:root) → (interval, schedule, time zone, maxsnaps)."""
    cs = client(sandbox)
    found = {}
    for volume in cs.listVolumes(projectid=-1, listall=True).get("volume", []):
        name = f"{volume['vmname']}:root" if volume["type"] == "ROOT" else volume["name"]
        for p in cs.listSnapshotPolicies(volumeid=volume["id"]).get("snapshotpolicy", []):
            found[name] = (p["intervaltype"], p["schedule"], p["timezone"], p["maxsnaps"])
    return found


def quotas(env: dict[str, str], repo: Path) -> dict[str, tuple[int, int]]:
    """The plan's quota rows of payments: resource → (used, change)."""
    plan = json.loads(stackgate(env, "plan", str(repo), "--format", "json").stdout)
    return {
        q["resource"]: (q["used"], q["change"])
        for q in plan["quotas"]
        if q["project"] == "payments" and q.get("scope", "project") == "project"
    }


def test_a_template_and_policies_are_made_changed_drift_checked_and_deleted(
    sandbox: str, tmp_path: Path
) -> None:
    env = env_for(sandbox, tmp_path)
    repo, payments = make_repo(tmp_path, PROJECT)
    before = quotas(env, repo)
    assert (before["templates"], before["snapshots"]) == ((0, 1), (0, 4 + 7))
    applied(env, repo)
    converged(env, repo)
    # what the sandbox counts after the apply, as CloudStack does: the template, once
    assert quotas(env, repo)["templates"] == (1, 0)
    listed = client(sandbox).listProjects(name="payments", listall=True)["project"][0]
    assert listed["templatetotal"] == 1
    golden = templates(sandbox)["golden"]
    assert (golden["isready"], golden["status"]) == (True, "Download Complete")
    vm = client(sandbox).listVirtualMachines(projectid=-1, listall=True)["virtualmachine"][0]
    assert vm["templateid"] == golden["id"]
    assert policies(sandbox) == {
        "web-1:root": (0, "15", "UTC", 4),
        "web-1-data": (1, "30:02", "Europe/Berlin", 7),
    }

    edit(payments, ("keep: 7", "keep: 5"), ("description: our image", "description: v2"))
    assert planned(env, repo) == [("update", DATA), ("update", "payments/template/golden")]
    applied(env, repo)
    converged(env, repo)
    assert policies(sandbox)["web-1-data"] == (1, "30:02", "Europe/Berlin", 5)
    assert templates(sandbox)["golden"]["displaytext"] == "v2"

    weekly = 'schedule: weekly, time: "02:30", day_of_week: monday'
    edit(payments, ('schedule: daily, time: "02:30"', weekly))
    assert planned(env, repo) == [("replace", DATA)]
    applied(env, repo)
    converged(env, repo)
    assert policies(sandbox)["web-1-data"] == (2, "30:02:2", "Europe/Berlin", 5)

    # Changed outside: CloudStack drops the policy's tags, so the plan makes it again, and
    # the volume keeps one policy of the interval
    cs = client(sandbox)
    data = cs.listVolumes(projectid=-1, listall=True, name="web-1-data")["volume"][0]
    cs.createSnapshotPolicy(
        volumeid=data["id"], intervaltype="WEEKLY", schedule="00:01:3", timezone="UTC", maxsnaps=2
    )
    assert planned(env, repo) == [("create", DATA)]
    applied(env, repo)
    converged(env, repo)
    assert policies(sandbox)["web-1-data"] == (2, "30:02:2", "Europe/Berlin", 5)

    # Deleted outside: missing in the drift report, made again
    policy = cs.listSnapshotPolicies(volumeid=data["id"])["snapshotpolicy"][0]
    cs.deleteSnapshotPolicies(id=policy["id"])
    assert planned(env, repo) == [("create", DATA)]
    report = stackgate(env, "reconcile", str(repo), "--format", "json", "--no-record")
    drift = json.loads(report.stdout)["drift"]
    assert [(item["kind"], item["address"]) for item in drift] == [("missing", DATA)]
    applied(env, repo)
    converged(env, repo)

    # A template deleted outside (forced, as its VM uses it) is registered again
    cs.deleteTemplate(id=templates(sandbox)["golden"]["id"], forced=True)
    assert planned(env, repo) == [("create", "payments/template/golden")]
    applied(env, repo)
    converged(env, repo)
    assert calls(sandbox, "registerTemplate") == 2

    # Out of the repo: the policies go; the template goes once no instance boots from it
    lines = payments.read_text().splitlines(keepends=True)
    payments.write_text("".join(line for line in lines if "snapshot_policy" not in line))
    assert planned(env, repo) == [
        ("delete", DATA),
        ("delete", "payments/snapshot_policy/web-1:root"),
    ]
    applied(env, repo)
    converged(env, repo)
    assert policies(sandbox) == {}
    text = payments.read_text()
    edit(payments, (text[text.index("templates:") : text.index("instances:")], ""))
    edit(payments, ("template: golden", "template: ubuntu-22.04"))
    assert planned(env, repo) == [
        ("delete", "payments/template/golden"),
        ("replace", "payments/instance/web-1"),
        ("update", "payments/volume/web-1-data"),  # attached again to the new VM
    ]
    applied(env, repo)
    converged(env, repo)
    assert templates(sandbox) == {}


def test_a_registration_killed_on_the_wire_is_finished_once(sandbox: str, tmp_path: Path) -> None:
    env = env_for(sandbox, tmp_path)
    repo, _ = make_repo(tmp_path, PROJECT)
    _killed_in_flight(sandbox, env, repo, tmp_path, "registerTemplate", "template:started")
    resumed = stackgate(env, "apply", str(repo), "--auto-approve")
    assert resumed.returncode == 0, resumed.stdout[-3000:]
    converged(env, repo)
    assert list(templates(sandbox)) == ["golden"]
    assert templates(sandbox)["golden"]["isready"] is True
    assert calls(sandbox, "registerTemplate") == 1


def test_a_failed_download_fails_in_cloudstacks_words_and_is_registered_again(
    sandbox: str, tmp_path: Path
) -> None:
    env = env_for(sandbox, tmp_path)
    repo, _ = make_repo(tmp_path, PROJECT)
    not_found = "Failed to download template: HTTP Server returned 404 (expected 200 OK)"
    failure = {"command": "registerTemplate", "count": 1, "errorcode": 530, "in_job": True}
    knobs(sandbox, fail_next=[{**failure, "errortext": not_found}])
    failed = stackgate(env, "apply", str(repo), "--auto-approve")
    assert failed.returncode != 0 and not_found in failed.stdout, failed.stdout[-3000:]
    assert templates(sandbox) == {}  # the broken one removed, as a VM left in Error is
    applied(env, repo)  # the run resumed: registered anew
    converged(env, repo)
    assert templates(sandbox)["golden"]["isready"] is True
    assert calls(sandbox, "registerTemplate") == 2


def test_an_apply_killed_while_the_template_downloads_waits_again_once(
    sandbox: str, tmp_path: Path
) -> None:
    """Killed after registerTemplate answered, while the download is polled: the resumed run
    finds the template by its tags and waits for it, never registering it twice."""
    env = env_for(sandbox, tmp_path)
    repo, _ = make_repo(tmp_path, PROJECT)
    process = subprocess.Popen(
        [sys.executable, "-m", "app", "apply", str(repo), "--auto-approve"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        _wait_for(lambda: calls(sandbox, "registerTemplate") == 1, "registerTemplate taken")
        time.sleep(0.5)  # tagged, its download polled (one look a second at first)
    finally:
        process.kill()
        process.wait()
    resumed = stackgate(env, "apply", str(repo), "--auto-approve")
    assert resumed.returncode == 0, resumed.stdout[-3000:]
    assert resumed.stdout.startswith("Resuming apply")
    converged(env, repo)
    assert templates(sandbox)["golden"]["isready"] is True
    assert calls(sandbox, "registerTemplate") == 1


def test_a_policy_killed_on_the_wire_is_sent_again_and_made_once(
    sandbox: str, tmp_path: Path
) -> None:
    """createSnapshotPolicy updates the volume's policy of the interval, so the resumed step
    sends it again rather than looking: one policy per disk, tagged, either way."""
    env = env_for(sandbox, tmp_path)
    one_policy = PROJECT.replace(
        "    snapshot_policy: {schedule: hourly, minute: 15, keep: 4}\n", ""
    )
    repo, _ = make_repo(tmp_path, one_policy)  # one create on the wire at a time
    _killed_in_flight(
        sandbox, env, repo, tmp_path, "createSnapshotPolicy", "snapshot_policy:started"
    )
    resumed = stackgate(env, "apply", str(repo), "--auto-approve")
    assert resumed.returncode == 0, resumed.stdout[-3000:]
    converged(env, repo)
    cs = client(sandbox)
    (data,) = cs.listVolumes(projectid=-1, listall=True, type="DATADISK")["volume"]
    listed = cs.listSnapshotPolicies(volumeid=data["id"])["snapshotpolicy"]
    assert len(listed) == 1 and listed[0]["tags"], listed
