"""VPCs, tiers and network ACLs on the sandbox through `stackgate apply`: made, changed in place,
replaced where CloudStack requires, deleted, drift found and healed, an apply killed while
createVPC's job runs resumed without a second VPC, and a VPC made by hand imported and adopted."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from cs import CloudStack

from app.cloudstack.inventory import TAG_KEY
from tests.apply.cloud import KEY, SECRET, converged, env_for, knobs, stackgate
from tests.apply.test_apply_in_flight import LATENCY, _calls, _steps, _wait_for

REPO_SETTINGS = "version: 1\nrepo: example.com/acme/shop\n"
SHOP = """\
project: payments
cloud: dc1
zone: zone-a
labels: {team: shop}  # an ACL list takes no tags: it carries none, and plans no change for them
vpcs:
  shop:
    offering: Default VPC offering
    cidr: 10.20.0.0/16
    tiers:
      web:
        offering: DefaultIsolatedNetworkOfferingForVpcNetworks
        cidr: 10.20.1.0/24
        acl: web-acl
      app:
        offering: DefaultIsolatedNetworkOfferingForVpcNetworks
        gateway: 10.20.2.1
        netmask: 255.255.255.0
network_acls:
  web-acl:
    vpc: shop
    rules:
      - {number: 10, action: allow, traffic: ingress, protocol: tcp, ports: 443, cidrs: [0.0.0.0/0]}
      - {number: 20, action: allow, traffic: ingress, protocol: icmp,
         icmp_type: 8, cidrs: [10.0.0.0/8]}
      - {number: 30, action: deny, traffic: egress, protocol: all, cidrs: [0.0.0.0/0]}
instances:
  web-1: {offering: small, template: debian-12, networks: [web]}
public_ips:
  web-ip: {vpc: shop}
load_balancers:
  web-lb: {ip: web-ip, tier: web, public_port: 443, private_port: 8443, members: [web-1]}
port_forwards:
  - {ip: web-ip, tier: web, protocol: tcp, public_port: 2222, private_port: 22, instance: web-1}
"""


def _cs(sandbox: str) -> Any:
    return CloudStack(
        endpoint=f"{sandbox}/client/api", key=KEY, secret=SECRET, fetch_result=True,
        poll_interval=0.05,
    )  # fmt: skip


def _repo(tmp_path: Path, project: str = SHOP) -> Path:
    repo = tmp_path / "repo"
    (repo / "projects").mkdir(parents=True, exist_ok=True)
    (repo / "stackgate.yaml").write_text(REPO_SETTINGS)
    (repo / "projects" / "payments.yaml").write_text(project)
    return repo


def _apply(env: dict[str, str], repo: Path) -> None:
    done = stackgate(env, "apply", str(repo), "--auto-approve")
    assert done.returncode == 0, done.stdout[-3000:]
    converged(env, repo)


def _planned(env: dict[str, str], repo: Path) -> list[tuple[str, str, str]]:
    done = stackgate(env, "plan", str(repo), "--format", "json")
    assert done.returncode in (0, 2), done.stdout[-3000:] + done.stderr[-3000:]
    plan = json.loads(done.stdout)
    assert plan["diagnostics"] == [], plan["diagnostics"]
    return sorted((c["action"], c["kind"], c["name"]) for c in plan["changes"])


def _rows(sandbox: str, command: str, **params: Any) -> list[dict[str, Any]]:
    answer = getattr(_cs(sandbox), command)(projectid=-1, listall=True, **params)
    return [row for key, rows in answer.items() if key != "count" for row in rows]


def _ids(sandbox: str) -> dict[str, str]:
    """The VPC's, its tiers' and its ACL rules' ids by name (rules as ``<list>:<number>``)."""
    found = {f"vpc/{r['name']}": r["id"] for r in _rows(sandbox, "listVPCs")}
    found |= {
        f"network/{r['name']}": r["id"] for r in _rows(sandbox, "listNetworks") if r.get("vpcid")
    }
    rules = _rows(sandbox, "listNetworkACLs")
    return found | {f"rule/{r['aclname']}:{r['number']}": r["id"] for r in rules}


def test_a_vpc_is_made_changed_in_place_replaced_where_required_and_deleted(
    sandbox: str, tmp_path: Path
) -> None:
    env = env_for(sandbox, tmp_path)
    repo = _repo(tmp_path)
    _apply(env, repo)
    made = _ids(sandbox)
    (tier,) = [r for r in _rows(sandbox, "listNetworks") if r["name"] == "web"]
    assert tier["aclname"] == "web-acl" and tier["vpcid"] == made["vpc/shop"]

    changed = (
        SHOP.replace("cidr: 10.20.0.0/16\n", "cidr: 10.20.0.0/16\n    description: the shop\n")
        .replace("ports: 443,", "ports: 8443,")
        .replace("{number: 30,", "{number: 40,")
        .replace("gateway: 10.20.2.1", "gateway: 10.20.3.1")
        .replace("        acl: web-acl\n", "        acl: default_allow\n")
    )
    (repo / "projects" / "payments.yaml").write_text(changed)
    assert _planned(env, repo) == [
        ("create", "network_acl_rule", "web-acl:40"),
        ("delete", "network_acl_rule", "web-acl:30"),
        ("replace", "network", "app"),  # a tier's subnet cannot change in place
        ("update", "network", "web"),  # replaceNetworkACLList
        ("update", "network_acl_rule", "web-acl:10"),  # updateNetworkACLItem
        ("update", "vpc", "shop"),  # updateVPC
    ]
    _apply(env, repo)
    now = _ids(sandbox)
    kept = ("vpc/shop", "network/web", "rule/web-acl:10", "rule/web-acl:20")
    assert {key: now[key] for key in kept} == {key: made[key] for key in kept}
    assert now["network/app"] != made["network/app"]
    (vpc,) = _rows(sandbox, "listVPCs")
    assert vpc["displaytext"] == "the shop"

    (repo / "projects" / "payments.yaml").write_text(
        "project: payments\ncloud: dc1\nzone: zone-a\n"
    )
    _apply(env, repo)
    assert _rows(sandbox, "listVPCs") == []
    assert [r for r in _rows(sandbox, "listNetworks") if r.get("vpcid")] == []


def test_a_vpc_cidr_change_replaces_the_vpc_with_everything_in_it(
    sandbox: str, tmp_path: Path
) -> None:
    env = env_for(sandbox, tmp_path)
    repo = _repo(tmp_path)
    _apply(env, repo)
    made = _ids(sandbox)
    moved = SHOP.replace("10.20.", "10.30.")
    (repo / "projects" / "payments.yaml").write_text(moved)
    planned = _planned(env, repo)
    assert ("replace", "vpc", "shop") in planned
    assert {kind for action, kind, _ in planned if action == "replace"} >= {
        "network", "network_acl", "network_acl_rule", "public_ip", "instance",
    }  # fmt: skip
    _apply(env, repo)
    (vpc,) = _rows(sandbox, "listVPCs")
    assert vpc["cidr"] == "10.30.0.0/16" and vpc["id"] != made["vpc/shop"]


def test_drift_in_acl_rules_and_a_tier_is_found_and_healed(sandbox: str, tmp_path: Path) -> None:
    env = env_for(sandbox, tmp_path)
    repo = _repo(tmp_path)
    _apply(env, repo)
    made = _ids(sandbox)
    client = _cs(sandbox)
    client.updateNetworkACLItem(id=made["rule/web-acl:10"], startport=22, endport=22)
    client.deleteNetworkACL(id=made["rule/web-acl:20"])
    default_allow = client.listNetworkACLLists(name="default_allow")["networkacllist"][0]
    client.replaceNetworkACLList(aclid=default_allow["id"], networkid=made["network/web"])
    client.createNetworkACLList(name="by-hand", vpcid=made["vpc/shop"])  # not the repo's
    assert _planned(env, repo) == [
        ("create", "network_acl_rule", "web-acl:20"),
        ("update", "network", "web"),
        ("update", "network_acl_rule", "web-acl:10"),
    ]
    _apply(env, repo)


def test_an_apply_killed_while_create_vpc_runs_resumes_with_one_vpc(
    sandbox: str, tmp_path: Path
) -> None:
    env = env_for(sandbox, tmp_path)
    repo = _repo(tmp_path)
    knobs(sandbox, job_seconds=3.0)
    process = subprocess.Popen(
        [sys.executable, "-m", "app", "apply", str(repo), "--auto-approve"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:  # killed once createVPC's job id is journaled: the job is running in the cloud
        _wait_for(lambda: [s for _, s, _ in _steps(tmp_path, "vpc")] == ["submitted"], "createVPC")
    finally:
        process.kill()
        process.wait()
    knobs(sandbox, job_seconds=0.0)  # the running job keeps its 3 s
    resumed = stackgate(env, "apply", str(repo), "--auto-approve")
    assert resumed.returncode == 0, resumed.stdout[-3000:]
    assert resumed.stdout.startswith("Resuming apply 1:")
    converged(env, repo)
    assert _calls(sandbox, "createVPC") == 1
    (vpc,) = _rows(sandbox, "listVPCs")
    assert {t["key"]: t["value"] for t in vpc["tags"]}[TAG_KEY] == "vpc/shop"


def _states(tmp_path: Path) -> list[str]:
    return [state for _, state, _ in _steps(tmp_path, "network_acl_rule")]


def test_acl_rules_in_flight_when_killed_are_found_by_their_numbers(
    sandbox: str, tmp_path: Path
) -> None:
    env = env_for(sandbox, tmp_path)
    repo = _repo(tmp_path)
    knobs(sandbox, latency={"createNetworkACL": LATENCY})
    process = subprocess.Popen(
        [sys.executable, "-m", "app", "apply", str(repo), "--auto-approve"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:  # killed with the three calls on the wire, before CloudStack answers any
        _wait_for(lambda: _states(tmp_path).count("started") == 3, "three createNetworkACL calls")
        _wait_for(lambda: _calls(sandbox, "createNetworkACL") == 3, "the calls received", 10)
    finally:
        process.kill()
        process.wait()
    knobs(sandbox, latency={"createNetworkACL": 0})
    resumed = stackgate(env, "apply", str(repo), "--auto-approve")
    assert resumed.returncode == 0, resumed.stdout[-3000:]
    assert resumed.stdout.startswith("Resuming apply 1:")
    converged(env, repo)
    assert _calls(sandbox, "createNetworkACL") == 3  # found untagged by number, not sent again
    made = [r for r in _rows(sandbox, "listNetworkACLs") if r["aclname"] == "web-acl"]
    assert sorted(r["number"] for r in made) == [10, 20, 30]


def test_an_untagged_vpc_is_imported_then_adopted(sandbox: str, tmp_path: Path) -> None:
    client = _cs(sandbox)
    (project,) = client.listProjects(name="payments", listall=True)["project"]
    zone = client.listZones(name="zone-a")["zone"][0]
    (offering,) = client.listVPCOfferings(name="Default VPC offering")["vpcoffering"]
    vpc = client.createVPC(
        name="legacy", displaytext="legacy", cidr="10.40.0.0/16", zoneid=zone["id"],
        vpcofferingid=offering["id"], projectid=project["id"],
    )["vpc"]  # fmt: skip
    acl = client.createNetworkACLList(name="edge", description="edge rules", vpcid=vpc["id"])
    acl_id = acl["networkacllist"]["id"]
    client.createNetworkACL(
        aclid=acl_id, number=5, action="allow", traffictype="ingress", protocol="tcp",
        startport=80, endport=80, cidrlist="0.0.0.0/0",
    )  # fmt: skip
    (tier_offering,) = client.listNetworkOfferings(
        name="DefaultIsolatedNetworkOfferingForVpcNetworks"
    )["networkoffering"]
    client.createNetwork(
        name="front", displaytext="front", networkofferingid=tier_offering["id"],
        zoneid=zone["id"], projectid=project["id"], vpcid=vpc["id"], aclid=acl_id,
        gateway="10.40.1.1", netmask="255.255.255.0",
    )  # fmt: skip
    env = env_for(sandbox, tmp_path)
    repo = tmp_path / "repo"
    done = stackgate(env, "import", "--project", "payments", "--out", str(repo))
    written = (repo / "projects" / "payments.yaml").read_text()
    assert "vpcs:" in written and "network_acls:" in written, done.stdout + written
    assert "Not modelled" not in written  # the VPC, its tier, list and rule are all entries
    (repo / "stackgate.yaml").write_text(REPO_SETTINGS)
    planned = _planned(env, repo)
    assert ("adopt", "vpc", "legacy") in planned
    assert ("adopt", "network", "front") in planned
    assert ("adopt", "network_acl", "edge") in planned
    assert ("adopt", "network_acl_rule", "edge:5") in planned
    assert {action for action, _, _ in planned} == {"adopt"}
    _apply(env, repo)
    (tagged,) = _rows(sandbox, "listVPCs")
    assert tagged["id"] == vpc["id"]
    assert {t["key"]: t["value"] for t in tagged["tags"]}[TAG_KEY] == "vpc/legacy"
