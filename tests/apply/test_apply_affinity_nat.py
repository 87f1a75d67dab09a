"""Affinity groups and static NAT through `stackgate apply` on a sandbox process: made, changed
in place (static NAT moved, off), groups changed with a stop, a group replaced, deleted, drift
found and healed. Each step ends with a plan that has nothing left to do."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import httpx
from cs import CloudStack

from tests.apply.cloud import EXAMPLE, KEY, SECRET, converged, env_for, stackgate

WEB_2 = "web-2: {offering: small, template: ubuntu-22.04, networks: [app-net]"
PROJECT = """\
project: payments
zone: zone-a
networks:
  app-net: {offering: DefaultIsolatedNetworkOfferingWithSourceNatService, cidr: 10.1.0.0/24}
affinity_groups:
  spread: {type: host anti-affinity}
instances:
  web-1: {offering: small, template: ubuntu-22.04, networks: [app-net], affinity_groups: [spread]}
  WEB_2, affinity_groups: [spread]}
public_ips:
  nat-ip: {network: app-net, static_nat: web-1}
firewall:
  - {ip: nat-ip, protocol: tcp, ports: 443, cidrs: [0.0.0.0/0]}
""".replace("WEB_2", WEB_2)


def make_repo(tmp_path: Path, text: str = PROJECT) -> tuple[Path, Path]:
    repo = tmp_path / "infra"
    (repo / "projects").mkdir(parents=True)
    shutil.copy(EXAMPLE / "stackgate.yaml", repo / "stackgate.yaml")
    path = repo / "projects" / "payments.yaml"
    path.write_text(text)
    return repo, path


def edit(path: Path, *pairs: tuple[str, str]) -> None:
    text = path.read_text()
    for old, new in pairs:
        assert old in text, old
        text = text.replace(old, new, 1)
    path.write_text(text)


def planned(env: dict[str, str], repo: Path) -> list[tuple[str, str]]:
    plan = json.loads(stackgate(env, "plan", str(repo), "--format", "json").stdout)
    return sorted((c["action"], c["address"]) for c in plan["changes"])


def applied(env: dict[str, str], repo: Path) -> str:
    run = stackgate(env, "apply", str(repo), "--auto-approve")
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    return run.stdout


def client(sandbox: str) -> CloudStack:
    return CloudStack(endpoint=f"{sandbox}/client/api", key=KEY, secret=SECRET, fetch_result=True)


def groups(sandbox: str) -> dict[str, tuple[str, list[str]]]:
    """Affinity group name → (type, names of its VMs)."""
    cs = client(sandbox)
    vms = cs.listVirtualMachines(projectid=-1, listall=True).get("virtualmachine", [])
    names = {vm["id"]: vm["name"] for vm in vms}
    found = cs.listAffinityGroups(projectid=-1, listall=True).get("affinitygroup", [])
    return {
        g["name"]: (g["type"], sorted(names[i] for i in g.get("virtualmachineIds", [])))
        for g in found
    }


def nat(sandbox: str) -> dict[str, Any]:
    """Address → the VM its static NAT sends to (None: off), source NAT addresses aside."""
    ips = client(sandbox).listPublicIpAddresses(projectid=-1, listall=True)
    return {
        ip["ipaddress"]: ip.get("virtualmachinename") if ip.get("isstaticnat") else None
        for ip in ips.get("publicipaddress", [])
        if not ip.get("issourcenat")
    }


def calls(sandbox: str, command: str) -> int:
    counted: dict[str, int] = httpx.get(f"{sandbox}/sandbox/calls", timeout=10).json()
    return counted.get(command, 0)


def vm_ids(sandbox: str) -> dict[str, str]:
    vms = client(sandbox).listVirtualMachines(projectid=-1, listall=True).get("virtualmachine", [])
    return {vm["name"]: vm["id"] for vm in vms}


def test_groups_and_static_nat_are_made_changed_and_deleted(sandbox: str, tmp_path: Path) -> None:
    env = env_for(sandbox, tmp_path)
    repo, payments = make_repo(tmp_path)
    applied(env, repo)
    converged(env, repo)
    assert groups(sandbox) == {"spread": ("host anti-affinity", ["web-1", "web-2"])}
    assert list(nat(sandbox).values()) == ["web-1"]
    ids = vm_ids(sandbox)

    edit(payments, ("static_nat: web-1", "static_nat: web-2"))  # moved: an update in place
    assert planned(env, repo) == [("update", "payments/public_ip/nat-ip")]
    applied(env, repo)
    converged(env, repo)
    assert list(nat(sandbox).values()) == ["web-2"]

    # web-2 leaves the group: updateVMAffinityGroup needs it stopped, and it runs again after
    edit(payments, (f"{WEB_2}, affinity_groups: [spread]}}", f"{WEB_2}}}"))
    assert planned(env, repo) == [("update-stop", "payments/instance/web-2")]
    applied(env, repo)
    converged(env, repo)
    assert groups(sandbox) == {"spread": ("host anti-affinity", ["web-1"])}
    vms = client(sandbox).listVirtualMachines(projectid=-1, listall=True)["virtualmachine"]
    assert {vm["name"]: vm["state"] for vm in vms} == {"web-1": "Running", "web-2": "Running"}

    # a new type: CloudStack cannot change it, so the group is made again and web-1 rejoins
    edit(payments, ("spread: {type: host anti-affinity}", "spread: {type: host affinity}"))
    assert planned(env, repo) == [
        ("replace", "payments/affinity_group/spread"),
        ("update-stop", "payments/instance/web-1"),
    ]
    applied(env, repo)
    converged(env, repo)
    assert groups(sandbox) == {"spread": ("host affinity", ["web-1"])}

    # static NAT off, and the group gone with the instance's last group: no stop needed
    edit(payments, (", static_nat: web-2", ""))
    edit(payments, ("affinity_groups:\n  spread: {type: host affinity}\n", ""))
    edit(payments, (", affinity_groups: [spread]}", "}"))
    assert planned(env, repo) == [
        ("delete", "payments/affinity_group/spread"),
        ("update", "payments/public_ip/nat-ip"),
        ("update-stop", "payments/instance/web-1"),
    ]
    stops = calls(sandbox, "stopVirtualMachine")
    applied(env, repo)
    converged(env, repo)
    # deleteAffinityGroup took web-1 out of its last group: it was not stopped for nothing
    assert calls(sandbox, "stopVirtualMachine") == stops
    assert groups(sandbox) == {}
    assert list(nat(sandbox).values()) == [None]
    assert vm_ids(sandbox) == ids  # nothing remade


def test_drift_of_groups_and_static_nat_is_found_and_healed(sandbox: str, tmp_path: Path) -> None:
    env = env_for(sandbox, tmp_path)
    repo, _ = make_repo(tmp_path)
    applied(env, repo)
    cs = client(sandbox)
    ids = vm_ids(sandbox)
    listed = cs.listPublicIpAddresses(projectid=-1, listall=True)["publicipaddress"]
    address = next(a for a in listed if a.get("isstaticnat"))
    cs.disableStaticNat(ipaddressid=address["id"])
    cs.stopVirtualMachine(id=ids["web-2"])
    cs.updateVMAffinityGroup(id=ids["web-2"], affinitygroupids="")
    cs.startVirtualMachine(id=ids["web-2"])
    assert planned(env, repo) == [
        ("update", "payments/public_ip/nat-ip"),
        ("update-stop", "payments/instance/web-2"),
    ]
    applied(env, repo)
    converged(env, repo)
    assert groups(sandbox) == {"spread": ("host anti-affinity", ["web-1", "web-2"])}
    assert list(nat(sandbox).values()) == ["web-1"]
