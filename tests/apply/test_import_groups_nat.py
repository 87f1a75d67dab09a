"""An affinity group and a static NAT made by hand, untagged: `stackgate import` writes them
as repo entries, the plan of that file only adopts, apply records the group on the project
(it takes no tags) and the next plan is empty."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from cs import CloudStack

from app.spec import load_repo
from tests.apply.cloud import KEY, SECRET, env_for, stackgate

REPO = "example.com/acme/brownfield"


def _build(sandbox: str) -> dict[str, str]:
    cs = CloudStack(
        endpoint=f"{sandbox}/client/api", key=KEY, secret=SECRET, fetch_result=True,
        poll_interval=0.05,
    )  # fmt: skip
    (project,) = cs.listProjects(name="payments", listall=True)["project"]
    (zone,) = cs.listZones(name="zone-a")["zone"]
    offerings = cs.listNetworkOfferings()["networkoffering"]
    offering = next(o for o in offerings if o["name"].endswith("WithSourceNatService"))
    templates = cs.listTemplates(templatefilter="executable", zoneid=zone["id"])["template"]
    template = next(t for t in templates if t["name"] == "ubuntu-22.04")
    small = next(o for o in cs.listServiceOfferings()["serviceoffering"] if o["name"] == "small")
    net = cs.createNetwork(
        name="app-net", displaytext="app-net", zoneid=zone["id"], networkofferingid=offering["id"],
        projectid=project["id"], gateway="10.9.0.1", netmask="255.255.255.0",
    )["network"]  # fmt: skip
    group = cs.createAffinityGroup(
        name="spread", type="host anti-affinity", projectid=project["id"]
    )["affinitygroup"]
    vms = [
        cs.deployVirtualMachine(
            name=name, zoneid=zone["id"], templateid=template["id"], networkids=net["id"],
            serviceofferingid=small["id"], projectid=project["id"],
            affinitygroupids=group["id"],
        )["virtualmachine"]
        for name in ("web-1", "web-2")
    ]  # fmt: skip
    ip = cs.associateIpAddress(networkid=net["id"], projectid=project["id"])["ipaddress"]
    cs.enableStaticNat(ipaddressid=ip["id"], virtualmachineid=vms[0]["id"])
    return {"project": project["id"], "ip": ip["ipaddress"], "group": group["id"]}


def _plan(env: dict[str, str], repo: Path) -> list[tuple[str, str, str]]:
    done = stackgate(env, "plan", str(repo), "--format", "json")
    assert done.returncode in (0, 2), done.stdout[-3000:] + done.stderr[-3000:]
    plan: dict[str, Any] = json.loads(done.stdout)
    assert plan["diagnostics"] == []
    return sorted((c["action"], c["kind"], c["name"]) for c in plan["changes"])


def test_hand_made_groups_and_static_nat_are_imported_adopted_and_recorded(
    sandbox: str, tmp_path: Path
) -> None:
    made = _build(sandbox)
    env = env_for(sandbox, tmp_path)
    repo = tmp_path / "repo"
    done = stackgate(env, "import", "--project", "payments", "--out", str(repo))
    assert done.returncode == 0, done.stdout[-3000:]
    written = (repo / "projects" / "payments.yaml").read_text(encoding="utf-8")
    assert "affinity group" not in written.split("\nproject:")[0]  # none left out
    (repo / "stackgate.yaml").write_text(f"version: 1\nrepo: {REPO}\n", encoding="utf-8")
    desired = load_repo(repo)
    assert desired.ok, [str(d) for d in desired.diagnostics]
    project = desired.projects["payments"]
    key = "ip-" + made["ip"].replace(".", "-")
    assert [(n, g.type) for n, g in project.affinity_groups.items()] == [
        ("spread", "host anti-affinity")
    ]
    assert [vm.affinity_groups for vm in project.instances.values()] == [["spread"], ["spread"]]
    assert (project.public_ips[key].network, project.public_ips[key].static_nat) == (
        "app-net",
        "web-1",
    )

    assert {action for action, _, _ in _plan(env, repo)} == {"adopt"}
    assert ("adopt", "affinity_group", "spread") in _plan(env, repo)
    applied = stackgate(env, "apply", str(repo), "--auto-approve")
    assert applied.returncode == 0, applied.stdout[-3000:]
    assert _plan(env, repo) == []
    cs = CloudStack(endpoint=f"{sandbox}/client/api", key=KEY, secret=SECRET)
    (listed,) = cs.listProjects(id=made["project"], listall=True)["project"]
    tags = {tag["key"]: tag["value"] for tag in listed.get("tags", [])}
    assert tags.get("stackgate.affinity.spread") == REPO
