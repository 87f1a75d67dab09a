"""Security groups through `stackgate apply` on a sandbox process: made with their rules,
rules changed one by one, a group replaced for its description, deleted, drift found and
healed, and an untagged group adopted. Each step ends with a plan that has nothing to do, and
the project's own `default` group is never planned for anything."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.apply.cloud import converged, env_for, stackgate
from tests.apply.test_apply_affinity_nat import applied, calls, client, edit, make_repo, planned

PROJECT = """\
project: payments
zone: zone-a
security_groups:
  web-sg:
    description: web servers
    ingress:
      - {protocol: tcp, ports: 443, cidrs: [0.0.0.0/0, 10.0.0.0/8]}
      - {protocol: icmp, icmp_type: 8, icmp_code: 0, cidrs: [10.0.0.0/8]}
    egress:
      - {protocol: all, cidrs: [0.0.0.0/0]}
  db-sg:
    ingress:
      - {protocol: tcp, ports: 5432, cidrs: [10.1.0.0/24]}
"""


def rules(sandbox: str) -> dict[str, set[tuple[Any, ...]]]:
    """Group name → its rules as (direction, protocol, ports or ICMP, CIDR or peer group)."""
    found = client(sandbox).listSecurityGroups(projectid=-1, listall=True)["securitygroup"]
    return {
        group["name"]: {
            (
                direction,
                rule["protocol"],
                rule.get("startport", rule.get("icmptype")),
                rule.get("endport", rule.get("icmpcode")),
                rule.get("cidr") or rule.get("securitygroupname"),
            )
            for direction in ("ingress", "egress")
            for rule in group.get(f"{direction}rule", [])
        }
        for group in found
    }


WEB = {
    ("ingress", "tcp", 443, 443, "0.0.0.0/0"),
    ("ingress", "tcp", 443, 443, "10.0.0.0/8"),
    ("ingress", "icmp", 8, 0, "10.0.0.0/8"),
    ("egress", "all", 0, 0, "0.0.0.0/0"),
}
DB = {("ingress", "tcp", 5432, 5432, "10.1.0.0/24")}


def test_groups_and_rules_are_made_changed_rule_by_rule_and_deleted(
    sandbox: str, tmp_path: Path
) -> None:
    env = env_for(sandbox, tmp_path)
    repo, payments = make_repo(tmp_path, PROJECT)
    assert planned(env, repo) == [
        ("create", "payments/security_group/db-sg"),
        ("create", "payments/security_group/web-sg"),
    ]
    applied(env, repo)
    converged(env, repo)
    assert rules(sandbox) == {"default": set(), "web-sg": WEB, "db-sg": DB}

    # one CIDR dropped, a peer-group rule added: only those two rules are sent
    edit(payments, ("cidrs: [0.0.0.0/0, 10.0.0.0/8]}", "cidrs: [10.0.0.0/8]}"))
    edit(
        payments,
        (
            "cidrs: [10.1.0.0/24]}",
            "cidrs: [10.1.0.0/24]}\n      - {protocol: tcp, ports: 5432, group: web-sg}",
        ),
    )
    assert planned(env, repo) == [
        ("update", "payments/security_group/db-sg"),
        ("update", "payments/security_group/web-sg"),
    ]
    authorized, revoked = (
        calls(sandbox, "authorizeSecurityGroupIngress"),
        calls(sandbox, "revokeSecurityGroupIngress"),
    )
    applied(env, repo)
    converged(env, repo)
    assert calls(sandbox, "authorizeSecurityGroupIngress") == authorized + 1
    assert calls(sandbox, "revokeSecurityGroupIngress") == revoked + 1
    web = WEB - {("ingress", "tcp", 443, 443, "0.0.0.0/0")}
    db = DB | {("ingress", "tcp", 5432, 5432, "web-sg")}
    assert rules(sandbox) == {"default": set(), "web-sg": web, "db-sg": db}

    # CloudStack cannot change a description: the group is made again with its rules
    edit(payments, ("  db-sg:\n", "  db-sg:\n    description: databases\n"))
    assert planned(env, repo) == [("replace", "payments/security_group/db-sg")]
    applied(env, repo)
    converged(env, repo)
    assert rules(sandbox)["db-sg"] == db

    # the peer rule goes with db-sg; web-sg is deleted after nothing allows it any more
    payments.write_text("project: payments\nzone: zone-a\n")
    assert planned(env, repo) == [
        ("delete", "payments/security_group/db-sg"),
        ("delete", "payments/security_group/web-sg"),
    ]
    applied(env, repo)
    converged(env, repo)
    assert rules(sandbox) == {"default": set()}


def test_drift_of_rules_is_found_and_healed(sandbox: str, tmp_path: Path) -> None:
    env = env_for(sandbox, tmp_path)
    repo, _ = make_repo(tmp_path, PROJECT)
    applied(env, repo)
    cs = client(sandbox)
    groups = {
        g["name"]: g for g in cs.listSecurityGroups(projectid=-1, listall=True)["securitygroup"]
    }
    icmp = next(r for r in groups["web-sg"]["ingressrule"] if r["protocol"] == "icmp")
    cs.revokeSecurityGroupIngress(id=icmp["ruleid"])
    cs.authorizeSecurityGroupIngress(
        securitygroupid=groups["db-sg"]["id"], protocol="tcp", startport=22, endport=22,
        cidrlist="0.0.0.0/0",
    )  # fmt: skip
    assert planned(env, repo) == [
        ("update", "payments/security_group/db-sg"),
        ("update", "payments/security_group/web-sg"),
    ]
    applied(env, repo)
    converged(env, repo)
    assert rules(sandbox) == {"default": set(), "web-sg": WEB, "db-sg": DB}


def test_an_untagged_group_is_adopted_with_its_rules(sandbox: str, tmp_path: Path) -> None:
    env = env_for(sandbox, tmp_path)
    repo, _ = make_repo(tmp_path, "project: payments\nzone: zone-a\n")
    converged(env, repo)  # the project's default group is CloudStack's: nothing to delete
    cs = client(sandbox)
    project = cs.listProjects(name="payments", listall=True)["project"][0]
    made = cs.createSecurityGroup(name="db-sg", projectid=project["id"])["securitygroup"]
    cs.authorizeSecurityGroupIngress(
        securitygroupid=made["id"], protocol="tcp", startport=5432, endport=5432,
        cidrlist="10.9.0.0/16",
    )  # fmt: skip
    converged(env, repo)  # an untagged group the repo does not declare is left alone
    _, payments = make_repo(tmp_path / "adopting", PROJECT)
    adopting = payments.parent.parent
    assert planned(env, adopting) == [
        ("adopt", "payments/security_group/db-sg"),
        ("create", "payments/security_group/web-sg"),
    ]
    applied(env, adopting)
    converged(env, adopting)
    assert rules(sandbox)["db-sg"] == DB
    (group,) = cs.listSecurityGroups(projectid=project["id"], name="db-sg")["securitygroup"]
    assert group["id"] == made["id"]
    assert {t["key"]: t["value"] for t in group["tags"]}["stackgate.key"] == "security_group/db-sg"


WEB_1 = "  web-1: {offering: small, template: ubuntu-22.04, zone: zone-sg, security_groups: [web-sg"


def vm_groups(sandbox: str) -> dict[str, tuple[str, list[str]]]:
    """VM name → (state, names of its security groups)."""
    vms = client(sandbox).listVirtualMachines(projectid=-1, listall=True)["virtualmachine"]
    return {vm["name"]: (vm["state"], sorted(g["name"] for g in vm["securitygroup"])) for vm in vms}


def test_an_instance_joins_changes_and_leaves_its_groups(sandbox: str, tmp_path: Path) -> None:
    env = env_for(sandbox, tmp_path)
    repo, payments = make_repo(tmp_path, f"{PROJECT}instances:\n{WEB_1}]}}\n")
    applied(env, repo)
    converged(env, repo)
    assert vm_groups(sandbox) == {"web-1": ("Running", ["web-sg"])}
    (nic,) = client(sandbox).listVirtualMachines(projectid=-1, listall=True)["virtualmachine"][0][
        "nic"
    ]
    assert nic["type"] == "Shared"  # no networks named: the zone's shared network

    # updateVirtualMachine takes securitygroupids only from a stopped VM: stopped, started
    edit(payments, (f"{WEB_1}]}}", f"{WEB_1}, db-sg]}}"))
    assert planned(env, repo) == [("update-stop", "payments/instance/web-1")]
    applied(env, repo)
    converged(env, repo)
    assert vm_groups(sandbox) == {"web-1": ("Running", ["db-sg", "web-sg"])}

    # db-sg goes: its delete moves web-1 out first (one stop), the update then has nothing left
    edit(payments, (f"{WEB_1}, db-sg]}}", f"{WEB_1}]}}"))
    edit(
        payments,
        (
            "  db-sg:\n    ingress:\n      - {protocol: tcp, ports: 5432, cidrs: [10.1.0.0/24]}\n",
            "",
        ),
    )
    assert planned(env, repo) == [
        ("delete", "payments/security_group/db-sg"),
        ("update-stop", "payments/instance/web-1"),
    ]
    stops = calls(sandbox, "stopVirtualMachine")
    applied(env, repo)
    converged(env, repo)
    assert calls(sandbox, "stopVirtualMachine") == stops + 1
    assert vm_groups(sandbox) == {"web-1": ("Running", ["web-sg"])}
    assert set(rules(sandbox)) == {"default", "web-sg"}


def test_groups_that_name_each_other_are_made_in_one_apply(sandbox: str, tmp_path: Path) -> None:
    """Groups are made side by side: a rule naming a group this apply makes waits for it."""
    env = env_for(sandbox, tmp_path)
    peers = "".join(
        f"  {name}:\n    ingress:\n      - {{protocol: tcp, ports: 5432, group: {peer}}}\n"
        for name, peer in (("a-sg", "z-sg"), ("z-sg", "a-sg"))
    )
    repo, _ = make_repo(tmp_path, f"project: payments\nzone: zone-a\nsecurity_groups:\n{peers}")
    applied(env, repo)
    converged(env, repo)
    assert rules(sandbox) == {
        "default": set(),
        "a-sg": {("ingress", "tcp", 5432, 5432, "z-sg")},
        "z-sg": {("ingress", "tcp", 5432, 5432, "a-sg")},
    }


def test_a_group_another_names_is_replaced_and_named_again(sandbox: str, tmp_path: Path) -> None:
    """CloudStack deletes no group a rule names (536): db-sg, unchanged, names web-sg, whose
    new description replaces it. db-sg's rule naming web-sg is revoked before web-sg goes
    and authorized again once the new web-sg is made, an update the plan shows and says why."""
    env = env_for(sandbox, tmp_path)
    named = "      - {protocol: tcp, ports: 5432, group: web-sg}\n"
    repo, payments = make_repo(tmp_path, PROJECT + named)
    applied(env, repo)
    converged(env, repo)
    old = group_ids(sandbox)

    edit(payments, ("description: web servers", "description: web front ends"))
    plan = json.loads(stackgate(env, "plan", str(repo), "--format", "json").stdout)["changes"]
    assert [(c["action"], c["address"], c["reason"]) for c in plan] == [
        ("replace", "payments/security_group/web-sg", "description cannot change in place"),
        ("update", "payments/security_group/db-sg", "its security group 'web-sg' is replaced"),
    ]
    applied(env, repo)
    converged(env, repo)
    new = group_ids(sandbox)
    assert new["web-sg"] != old["web-sg"] and new["db-sg"] == old["db-sg"]
    assert rules(sandbox) == {
        "default": set(),
        "web-sg": WEB,
        "db-sg": DB | {("ingress", "tcp", 5432, 5432, "web-sg")},
    }


def group_ids(sandbox: str) -> dict[str, str]:
    found = client(sandbox).listSecurityGroups(projectid=-1, listall=True)["securitygroup"]
    return {group["name"]: group["id"] for group in found}


def test_a_rule_of_every_port_made_by_hand_is_adopted_as_it_reads(
    sandbox: str, tmp_path: Path
) -> None:
    """CloudStack keeps a tcp rule of ports 0-0 as 0-65535: the repo writes it so (the
    import too), where ports start at 1 elsewhere, and the plan then has nothing to do."""
    env = env_for(sandbox, tmp_path)
    repo, _ = make_repo(tmp_path, "project: payments\nzone: zone-a\n")
    converged(env, repo)
    cs = client(sandbox)
    project = cs.listProjects(name="payments", listall=True)["project"][0]
    made = cs.createSecurityGroup(name="ops-sg", projectid=project["id"])["securitygroup"]
    cs.authorizeSecurityGroupIngress(
        securitygroupid=made["id"], protocol="tcp", startport=0, endport=0, cidrlist="10.9.0.0/16"
    )
    every = "{protocol: tcp, ports: 0-65535, cidrs: [10.9.0.0/16]}"
    group = f"security_groups:\n  ops-sg:\n    ingress:\n      - {every}\n"
    _, payments = make_repo(tmp_path / "adopting", f"project: payments\nzone: zone-a\n{group}")
    adopting = payments.parent.parent
    assert planned(env, adopting) == [("adopt", "payments/security_group/ops-sg")]
    applied(env, adopting)
    converged(env, adopting)
    assert rules(sandbox)["ops-sg"] == {("ingress", "tcp", 0, 65535, "10.9.0.0/16")}
