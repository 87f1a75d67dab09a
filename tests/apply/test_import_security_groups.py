"""A security group made by hand, untagged, with rules by CIDR and by another group, and
an instance in it on the security group zone's shared network: `stackgate import` writes them
(never the project's `default` group), the plan of that file only adopts, apply tags them
where they are and the next plan is empty."""

from __future__ import annotations

from pathlib import Path

from tests.apply.brownfield import ByHand, changes, imported
from tests.apply.cloud import env_for, stackgate


def test_a_hand_made_security_group_is_imported_and_adopted(sandbox: str, tmp_path: Path) -> None:
    hand = ByHand(sandbox)
    cs, project = hand.cs, hand.project
    web = cs.createSecurityGroup(name="web", projectid=project)["securitygroup"]
    db = cs.createSecurityGroup(name="db", description="databases", projectid=project)[
        "securitygroup"
    ]
    cs.authorizeSecurityGroupIngress(
        securitygroupid=web["id"], protocol="tcp", startport=443, endport=443,
        cidrlist="10.0.0.0/8,192.168.0.0/16",
    )  # fmt: skip
    cs.authorizeSecurityGroupIngress(
        securitygroupid=db["id"], protocol="tcp", startport=5432, endport=5432,
        usersecuritygrouplist=[{"group": "web", "account": web["account"]}],
    )  # fmt: skip
    cs.authorizeSecurityGroupEgress(securitygroupid=db["id"], protocol="icmp", cidrlist="0.0.0.0/0")
    (zone,) = cs.listZones(name="zone-sg")["zone"]
    templates = cs.listTemplates(templatefilter="executable", zoneid=zone["id"])["template"]
    cs.deployVirtualMachine(
        name="web-1", zoneid=zone["id"], serviceofferingid=hand.sizes["small"], projectid=project,
        templateid=next(t for t in templates if t["name"] == "ubuntu-22.04")["id"],
        securitygroupids=web["id"],
    )  # fmt: skip
    env = env_for(sandbox, tmp_path)
    repo = tmp_path / "repo"
    done, desired = imported(env, repo)
    assert done.returncode == 0, done.stdout[-3000:]
    groups = desired.projects["payments"].security_groups
    assert sorted(groups) == ["db", "web"]  # not default
    assert [(str(r.ports), r.cidrs) for r in groups["web"].ingress] == [
        ("443", ["10.0.0.0/8"]),
        ("443", ["192.168.0.0/16"]),
    ]
    assert [(r.protocol, r.group) for r in groups["db"].ingress] == [("tcp", "web")]
    assert [(r.protocol, r.icmp_type, r.cidrs) for r in groups["db"].egress] == [
        ("icmp", -1, ["0.0.0.0/0"])
    ]
    assert groups["db"].description == "databases"
    web_1 = desired.projects["payments"].instances["web-1"]
    zone = web_1.zone or desired.projects["payments"].zone
    assert (web_1.networks, web_1.security_groups, zone) == ([], ["web"], "zone-sg")

    assert changes(env, repo) == [
        ("adopt", "instance", "web-1"),
        ("adopt", "security_group", "db"),
        ("adopt", "security_group", "web"),
    ]
    applied = stackgate(env, "apply", str(repo), "--auto-approve")
    assert applied.returncode == 0, applied.stdout[-3000:]
    assert changes(env, repo) == []
    listed = cs.listSecurityGroups(projectid=project)["securitygroup"]
    keys = {
        g["name"]: {t["key"]: t["value"] for t in g["tags"]}.get("stackgate.key") for g in listed
    }
    assert keys == {"default": None, "web": "security_group/web", "db": "security_group/db"}
