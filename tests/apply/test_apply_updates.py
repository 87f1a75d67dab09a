"""Changes in place and replacements, applied through `stackgate apply` to a sandbox process:
relabelling every kind, growing disks, scaling and stop-start updates, a replaced instance
with the rule that hangs on it. Each ends with a plan that has nothing left to do."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from cs import CloudStack

from tests.apply.cloud import EXAMPLE, KEY, SECRET, converged, env_for, stackgate


def _repo(tmp_path: Path) -> tuple[Path, Path]:
    repo = tmp_path / "infra"
    shutil.copytree(EXAMPLE, repo)
    return repo, repo / "projects" / "payments.yaml"


def _edit(path: Path, *pairs: tuple[str, str]) -> None:
    text = path.read_text()
    for old, new in pairs:
        assert old in text, old
        text = text.replace(old, new, 1)
    path.write_text(text)


def _planned(env: dict[str, str], repo: Path) -> list[tuple[str, str]]:
    planned = json.loads(stackgate(env, "plan", str(repo), "--format", "json").stdout)
    return [(c["action"], c["address"]) for c in planned["changes"]]


def _vms(sandbox: str) -> dict[str, dict[str, Any]]:
    client = CloudStack(endpoint=f"{sandbox}/client/api", key=KEY, secret=SECRET)
    found = client.listVirtualMachines(projectid=-1, listall=True).get("virtualmachine", [])
    return {str(vm["name"]): vm for vm in found}


def _applied(env: dict[str, str], repo: Path) -> str:
    run = stackgate(env, "apply", str(repo), "--auto-approve")
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    return run.stdout


def test_a_project_label_reaches_every_object_in_place(sandbox: str, tmp_path: Path) -> None:
    env = env_for(sandbox, tmp_path)
    repo, payments = _repo(tmp_path)
    _applied(env, repo)
    ids = {name: vm["id"] for name, vm in _vms(sandbox).items()}
    _edit(payments, ("labels: {team: payments,", "labels: {team: money,"))
    planned = _planned(env, repo)
    kinds = {address.split("/")[1] for _, address in planned}
    assert {action for action, _ in planned} == {"update"}
    assert {"network", "public_ip", "instance", "volume", "firewall", "egress"} <= kinds
    _applied(env, repo)
    converged(env, repo)
    assert {name: vm["id"] for name, vm in _vms(sandbox).items()} == ids  # nothing remade


def test_disks_grow_and_offerings_change_stopping_only_what_must_stop(
    sandbox: str, tmp_path: Path
) -> None:
    env = env_for(sandbox, tmp_path)
    repo, payments = _repo(tmp_path)
    _applied(env, repo)
    _edit(
        payments,
        ("size: 200GiB", "size: 250GiB"),  # the data volume: resized while attached
        ("root_disk: 80GiB", "root_disk: 100GiB"),  # db-1's ROOT disk: only when stopped
        ("offering: small\n    template: debian-12", "offering: medium\n    template: debian-12"),
    )
    assert sorted(_planned(env, repo)) == [
        ("update", "payments/volume/db-1-data"),
        ("update-stop", "payments/instance/bastion"),
        ("update-stop", "payments/instance/db-1"),
    ]
    out = _applied(env, repo)
    assert "Applied 3 change(s)." in out
    converged(env, repo)
    vms = _vms(sandbox)
    assert vms["bastion"]["serviceofferingname"] == "medium"
    assert {vms[name]["state"] for name in ("bastion", "db-1")} == {"Running"}  # started again


def test_a_replaced_instance_takes_its_port_forward_along(sandbox: str, tmp_path: Path) -> None:
    env = env_for(sandbox, tmp_path)
    repo, payments = _repo(tmp_path)
    _applied(env, repo)
    before = _vms(sandbox)
    _edit(payments, ("template: debian-12", "template: ubuntu-22.04"))
    assert sorted(_planned(env, repo)) == [
        ("replace", "payments/instance/bastion"),
        ("replace", "payments/port_forward/ssh-ip:tcp:22->bastion:22:192.0.2.0/24"),
    ]
    out = _applied(env, repo)
    assert "Applied 4 change(s)." in out  # each replace is a delete and a create
    converged(env, repo)
    after = _vms(sandbox)
    assert after.keys() == before.keys()  # no twin, nothing lost
    assert after["bastion"]["id"] != before["bastion"]["id"]
    assert after["bastion"]["templatename"] == "ubuntu-22.04"
    assert after["web-1"]["id"] == before["web-1"]["id"]


def test_a_replaced_network_takes_everything_on_it_down_and_back(
    sandbox: str, tmp_path: Path
) -> None:
    env = env_for(sandbox, tmp_path)
    repo, payments = _repo(tmp_path)
    _applied(env, repo)
    # db-1 is protected, and a replaced network replaces it too: its protection goes first,
    # in a change of its own (apply refuses to destroy anything protected).
    _edit(payments, ("    root_disk: 80GiB\n    protected: true\n", "    root_disk: 80GiB\n"))
    _applied(env, repo)
    before = _vms(sandbox)
    _edit(payments, ("10.1.0.0/24", "10.1.8.0/24"))
    planned = _planned(env, repo)
    assert ("replace", "payments/network/app-net") in planned
    assert ("update", "payments/volume/db-1-data") in planned  # to be attached to the new db-1
    out = _applied(env, repo)
    # Leaves go first, the network last; then it comes back first and the rest after it.
    lines = [line.split()[1:3] for line in out.splitlines() if line.startswith("✓ ")]
    assert lines.index(["delete", "payments/instance/db-1"]) < lines.index(
        ["delete", "payments/network/app-net"]
    )
    assert lines.index(["create", "payments/network/app-net"]) < lines.index(
        ["create", "payments/instance/db-1"]
    )
    converged(env, repo)
    after = _vms(sandbox)
    assert after.keys() == before.keys()
    payments_vms = ("bastion", "db-1", "web-1", "web-2")
    assert all(after[name]["id"] != before[name]["id"] for name in payments_vms)
    assert [nic["ipaddress"][:7] for nic in after["web-1"]["nic"]] == ["10.1.8."]


def test_a_load_balancer_changes_its_algorithm_and_members_in_place(
    sandbox: str, tmp_path: Path
) -> None:
    env = env_for(sandbox, tmp_path)
    repo, payments = _repo(tmp_path)
    _applied(env, repo)
    client = CloudStack(endpoint=f"{sandbox}/client/api", key=KEY, secret=SECRET)
    rules = {"projectid": -1, "listall": True, "name": "web-lb"}
    (before,) = client.listLoadBalancerRules(**rules)["loadbalancerrule"]
    _edit(
        payments,
        ("algorithm: leastconn", "algorithm: roundrobin"),
        ("members: [web-1, web-2]", "members: [web-1]"),
    )
    assert _planned(env, repo) == [("update", "payments/load_balancer/web-lb")]
    _applied(env, repo)
    converged(env, repo)
    (after,) = client.listLoadBalancerRules(**rules)["loadbalancerrule"]
    assert (after["id"], after["algorithm"]) == (before["id"], "roundrobin")  # not remade
    members = client.listLoadBalancerRuleInstances(id=after["id"])["loadbalancerruleinstance"]
    assert [vm["name"] for vm in members] == ["web-1"]
