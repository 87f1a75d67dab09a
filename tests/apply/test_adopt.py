"""Adoption on the sandbox: what a client made by hand is imported, the plan adopts it (no
create, update or delete), apply tags it in place, the next plan is empty, and the repo then
changes it in place; an apply killed while it tags is finished on resume, nothing made."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from cs import CloudStack

from app.cloudstack.inventory import TAG_KEY, TAG_REPO
from tests.apply.cloud import KEY, SECRET, census, converged, env_for, knobs, stackgate
from tests.apply.test_apply_in_flight import LATENCY, _calls, _steps, _wait_for
from tests.imports.test_import_command import _build, paste
from tests.sandbox.conftest import ssh_public_key

REPO = "example.com/acme/brownfield"


def _cs(sandbox: str) -> Any:
    return CloudStack(
        endpoint=f"{sandbox}/client/api", key=KEY, secret=SECRET, fetch_result=True,
        poll_interval=0.05,
    )  # fmt: skip


@pytest.fixture
def imported(sandbox: str, tmp_path: Path) -> tuple[dict[str, str], Path, dict[str, str]]:
    """A project made by hand with ``cs``, imported into a repo: (env, repo, made ids)."""
    client = _cs(sandbox)
    made = _build(client)
    client.deleteNetwork(id=made["legacy"])  # its name is not a valid key: not this test's
    env = env_for(sandbox, tmp_path)
    repo = tmp_path / "repo"
    done = stackgate(env, "import", "--project", "payments", "--out", str(repo))
    assert done.returncode == 1, done.stdout[-3000:]  # the key pair's public key is to paste
    paste(repo / "projects" / "payments.yaml", ssh_public_key(1))  # as _build registered it
    (repo / "stackgate.yaml").write_text(f"version: 1\nrepo: {REPO}\n", encoding="utf-8")
    return env, repo, made


def _plan(env: dict[str, str], repo: Path) -> dict[str, Any]:
    done = stackgate(env, "plan", str(repo), "--format", "json")
    assert done.returncode in (0, 2), done.stdout[-3000:] + done.stderr[-3000:]
    found: dict[str, Any] = json.loads(done.stdout)
    return found


def _tags(sandbox: str, command: str, object_id: str) -> dict[str, str]:
    (row,) = [r for r in _list(sandbox, command) if r["id"] == object_id]
    return {tag["key"]: tag["value"] for tag in row.get("tags", [])}


def _list(sandbox: str, command: str) -> list[dict[str, Any]]:
    answer = getattr(_cs(sandbox), command)(projectid=-1, listall=True)
    return [row for key, rows in answer.items() if key != "count" for row in rows]


def test_an_imported_project_is_only_adopted_then_tagged_then_updated_in_place(
    sandbox: str, imported: tuple[dict[str, str], Path, dict[str, str]]
) -> None:
    env, repo, made = imported
    plan = _plan(env, repo)
    assert plan["diagnostics"] == []
    key = "ip-" + made["ip"].replace(".", "-")
    (nat,) = [ip for ip in _list(sandbox, "listPublicIpAddresses") if ip.get("issourcenat")]
    nat_key = "ip-" + nat["ipaddress"].replace(".", "-")  # the network's, imported too
    assert sorted((c["action"], c["kind"], c["name"]) for c in plan["changes"]) == [
        ("adopt", "egress", "app-net:all:all:0.0.0.0/0"),
        ("adopt", "firewall", f"{key}:tcp:443:0.0.0.0/0"),
        ("adopt", "firewall", f"{key}:tcp:80:0.0.0.0/0"),
        ("adopt", "instance", "web-1"),
        ("adopt", "load_balancer", "web-lb"),
        ("adopt", "network", "app-net"),
        ("adopt", "port_forward", f"{key}:tcp:2222->web-1:22"),
        *sorted([("adopt", "public_ip", key), ("adopt", "public_ip", nat_key)]),
        ("adopt", "ssh_key", "ops"),
        ("adopt", "volume", "web-1-data"),
    ]
    counts = plan["counts"]
    assert counts["create"] == counts["update"] == counts["update-stop"] == counts["delete"] == 0
    # An untagged load balancer's members are read from the cloud: only its tags are set.
    assert [c["name"] for c in plan["changes"] if c["changed"]] == []
    before = census(sandbox)

    done = stackgate(env, "apply", str(repo), "--auto-approve")
    assert done.returncode == 0, done.stdout[-3000:]
    converged(env, repo)
    assert census(sandbox) == before  # nothing made, nothing gone
    vm = _tags(sandbox, "listVirtualMachines", made["vm"])  # the same objects, now ours
    assert (vm[TAG_REPO], vm[TAG_KEY]) == (REPO, "instance/web-1")
    assert _tags(sandbox, "listNetworks", made["net"])[TAG_KEY] == "network/app-net"
    assert _tags(sandbox, "listPublicIpAddresses", made["ip_id"])[TAG_KEY] == f"public_ip/{key}"

    project = repo / "projects" / "payments.yaml"
    text = project.read_text(encoding="utf-8")
    assert text.count("description: app tier") == 1
    project.write_text(text.replace("description: app tier", "description: app tier two"))
    (change,) = _plan(env, repo)["changes"]
    assert (change["action"], change["address"]) == ("update", "payments/network/app-net")
    assert stackgate(env, "apply", str(repo), "--auto-approve").returncode == 0
    converged(env, repo)
    (net,) = [n for n in _list(sandbox, "listNetworks") if n["id"] == made["net"]]
    assert net["displaytext"] == "app tier two" and census(sandbox) == before


def test_an_adopting_apply_killed_while_tagging_finishes_on_resume(
    sandbox: str, tmp_path: Path, imported: tuple[dict[str, str], Path, dict[str, str]]
) -> None:
    env, repo, made = imported
    before, tagged = census(sandbox), _calls(sandbox, "createTags")
    knobs(sandbox, latency={"createTags": LATENCY})
    process = subprocess.Popen(
        [sys.executable, "-m", "app", "apply", str(repo), "--auto-approve"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        _wait_for(
            lambda: [state for _, state, _ in _steps(tmp_path, "network")] == ["started"],
            "the network's adopt started",
        )
        time.sleep(1.0)  # its createTags is on the wire, CloudStack has not answered
    finally:
        process.kill()
        process.wait()
    _wait_for(lambda: _calls(sandbox, "createTags") > tagged, "createTags taken")
    knobs(sandbox, latency={"createTags": 0})

    resumed = stackgate(env, "apply", str(repo), "--auto-approve")
    assert resumed.returncode == 0, resumed.stdout[-3000:]
    assert resumed.stdout.startswith("Resuming apply 1:")
    assert [state for _, state, _ in _steps(tmp_path, "network")] == ["done"]
    converged(env, repo)
    assert census(sandbox) == before  # nothing created
    assert _tags(sandbox, "listNetworks", made["net"])[TAG_KEY] == "network/app-net"


def test_a_twin_by_hand_or_another_repos_object_is_an_error_and_nothing_is_adopted(
    sandbox: str, imported: tuple[dict[str, str], Path, dict[str, str]]
) -> None:
    env, repo, made = imported
    client = _cs(sandbox)
    (project,) = client.listProjects(name="payments", listall=True)["project"]
    disk = client.listDiskOfferings(name="standard")["diskoffering"][0]["id"]
    twin = client.createVolume(
        name="web-1-data", diskofferingid=disk, size=20, zoneid=made["zone"],
        projectid=project["id"],
    )["volume"]  # fmt: skip
    other = "example.com/acme/elsewhere"
    tags = [{"key": TAG_REPO, "value": other}, {"key": TAG_KEY, "value": "instance/web-1"}]
    client.createTags(resourcetype="UserVm", resourceids=made["vm"], tags=tags)

    done = stackgate(env, "plan", str(repo), "--format", "json")
    assert done.returncode == 1, done.stdout[-3000:]  # errors: nothing can be applied
    plan = json.loads(done.stdout)
    problems = {d["code"]: d for d in plan["diagnostics"]}
    assert set(problems) == {"SG215", "SG216"}
    assert twin["id"] in problems["SG215"]["message"]
    assert problems["SG215"]["file"] == "projects/payments.yaml" and problems["SG215"]["line"]
    assert other in problems["SG216"]["message"] and made["vm"] in problems["SG216"]["message"]
    names = {c["name"] for c in plan["changes"]}
    assert "web-1" not in names and "web-1-data" not in names
    assert {c["action"] for c in plan["changes"]} == {"adopt"}  # never a create beside them
