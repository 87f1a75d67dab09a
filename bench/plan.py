"""Plans of a 10,000-object repo (200 projects) with 1 % changed, against the sandbox.

The cloud is built to match the repo (rows shaped as the sandbox stores them, tagged as
apply tags them), then 1 % of the repo's instances change offering. Measured: a full plan,
a one-project plan, the read a per-object refresh would do for the full plan, and the plan
of the same repo onboarding all 200 projects on a cloud that has none of them, as a ratio
against the full plan: calls and time must stay O(projects). Then VPC projects at two sizes
(bench/plan_vpc.py): their calls per project must not follow their objects.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from app.cloudstack.client import CloudStackClient, Endpoint
from app.cloudstack.clouds import Clouds
from app.cloudstack.inventory import TAG_KEY, TAG_MEMBERS, TAG_REPO
from app.config import Settings
from app.flows.planning import plan_projects
from app.plan.model import Plan
from app.sandbox.launch import build_api
from app.sandbox.seed import project_row
from app.sandbox.store import CloudState
from app.spec import load_repo
from bench import plan_vpc
from bench.inventory import serve
from bench.loader import PROJECTS, write_repo
from bench.measure import measure, mib

REPO = "bench/plan"
KEY, SECRET = "bench-key", "bench-secret"
GIB = 1024**3
CHANGED = 100  # 1 % of 10,000 objects: instances moved to another offering


def _tags(kind: str, name: str, **labels: str) -> list[dict[str, str]]:
    pairs = {TAG_REPO: REPO, TAG_KEY: f"{kind}/{name}", **labels}
    return [{"key": key, "value": value} for key, value in pairs.items()]


def _rows(
    state: CloudState, project: dict[str, Any], index: int
) -> list[tuple[str, dict[str, Any]]]:
    """The live objects of one project of bench/loader.py's repo, as the sandbox keeps them."""
    owner = {"projectid": project["id"], "project": project["name"], "zonename": "zone-a"}
    rows: list[tuple[str, dict[str, Any]]] = []
    ips: dict[str, dict[str, Any]] = {}
    vm_ids: dict[str, str] = {}
    for n in range(5):
        rows.append(
            (
                "networks",
                {
                    "id": state.new_id(),
                    "name": f"net-{n}",
                    **owner,
                    "cidr": f"10.{n}.{index % 250}.0/24",
                    "networkofferingname": "DefaultIsolatedNetworkOfferingWithSourceNatService",
                    "displaytext": f"net-{n}",
                    "state": "Implemented",
                    "tags": _tags("network", f"net-{n}"),
                },
            )
        )
        ips[f"ip-{n}"] = {
            "id": state.new_id(),
            "ipaddress": f"203.0.{index % 250}.{n}",
            **owner,
            "issourcenat": False,
            "associatednetworkid": rows[-1][1]["id"],
            "associatednetworkname": f"net-{n}",
            "tags": _tags("public_ip", f"ip-{n}"),
        }
        rows.append(("ips", ips[f"ip-{n}"]))
    for n in range(20):
        vm = {
            "id": state.new_id(),
            "name": f"vm-{n}",
            **owner,
            "serviceofferingname": "medium",
            "templatename": "ubuntu-22.04",
            "nic": [{"networkname": f"net-{n % 5}", "isdefault": True, "deviceid": 0}],
            "state": "Running",
            "cpunumber": 2,
            "memory": 4096,
            "securitygroup": [],  # the sandbox keeps each VM's security groups (none here)
            "tags": _tags("instance", f"vm-{n}", owner="alice", **{"cost-center": str(index)}),
        }
        rows.append(("vms", vm))
        vm_ids[vm["name"]] = vm["id"]
        rows.append(
            (
                "volumes",
                {
                    "id": state.new_id(),
                    "name": f"ROOT-{n}",
                    **owner,
                    "type": "ROOT",
                    "virtualmachineid": vm["id"],
                    "size": 40 * GIB,
                    "tags": _tags("root_disk", f"vm-{n}"),
                },
            )
        )
    for n in range(10):
        rows.append(
            (
                "volumes",
                {
                    "id": state.new_id(),
                    "name": f"data-{n}",
                    **owner,
                    "type": "DATADISK",
                    "diskofferingname": "standard",
                    "size": 100 * GIB,
                    "vmname": f"vm-{n}",
                    "state": "Ready",
                    "tags": _tags("volume", f"data-{n}"),
                },
            )
        )
    rule = {"_project": project["id"], "protocol": "tcp"}
    for n in range(5):
        ip = ips[f"ip-{n}"]
        rows.append(
            (
                "firewall",
                {
                    "id": state.new_id(),
                    **rule,
                    "ipaddressid": ip["id"],
                    # the address and its network, as FirewallResponse names them
                    "ipaddress": ip["ipaddress"],
                    "networkid": ip["associatednetworkid"],
                    "startport": 443,
                    "endport": 443,
                    "cidrlist": "0.0.0.0/0",
                    "tags": _tags("firewall", f"ip-{n}:tcp:443:0.0.0.0/0"),
                },
            )
        )
    for n in range(3):
        ip = ips[f"ip-{n}"]
        rows.append(
            (
                "port_forwards",
                {
                    "id": state.new_id(),
                    **rule,
                    "ipaddressid": ip["id"],
                    "ipaddress": ip["ipaddress"],
                    "networkid": ip["associatednetworkid"],
                    "publicport": "22",
                    "publicendport": "22",
                    "privateport": "22",
                    "privateendport": "22",
                    "virtualmachinename": f"vm-{n}",
                    "cidrlist": "",
                    "tags": _tags("port_forward", f"ip-{n}:tcp:22->vm-{n}:22"),
                },
            )
        )
    for n in range(2):
        ip = ips[f"ip-{n}"]
        members = sorted([f"vm-{n}", f"vm-{n + 5}"])
        rows.append(
            (
                "load_balancers",
                {
                    "id": state.new_id(),
                    "name": f"lb-{n}",
                    **owner,
                    "publicipid": ip["id"],
                    "publicip": ip["ipaddress"],
                    "networkid": ip["associatednetworkid"],
                    "algorithm": "roundrobin",
                    "protocol": "tcp",
                    "publicport": "80",
                    "privateport": "8080",
                    "cidrlist": "",
                    "tags": _tags("load_balancer", f"lb-{n}", **{TAG_MEMBERS: ",".join(members)}),
                    "_members": [vm_ids[name] for name in members],  # the sandbox's record
                },
            )
        )
    return rows


COMMANDS = {
    "networks": "listNetworks",
    "vms": "listVirtualMachines",
    "volumes": "listVolumes",
    "ips": "listPublicIpAddresses",
    "firewall": "listFirewallRules",
    "port_forwards": "listPortForwardingRules",
    "load_balancers": "listLoadBalancerRules",
}


def build_cloud(path: Path) -> list[tuple[str, str, str]]:
    """The cloud, saved for the sandbox process: (list command, project id, id) per object."""
    state = build_api(api_key=KEY, secret_key=SECRET, state_file=path).state
    known = []
    for index in range(PROJECTS):
        project = state.table("projects").add(project_row(state, f"team-{index:03d}"))
        limits = {0: 40, 2: 40, 8: 80, 9: 160 * 1024, 10: 2048}  # as the repo's files say
        state.limits.update({(project["id"], kind): limit for kind, limit in limits.items()})
        for table, row in _rows(state, project, index):
            state.table(table).add(row)
            if row.get("type") != "ROOT":
                known.append((COMMANDS[table], project["id"], row["id"]))
    state.save()
    return known


def change_one_percent(root: Path) -> None:
    for index in range(CHANGED // 20):
        path = root / "projects" / f"team-{index:03d}.yaml"
        path.write_text(path.read_text().replace("offering: medium", "offering: large"))


def per_object_refresh(url: str, known: list[tuple[str, str, str]]) -> int:
    """What a Terraform refresh does: one lookup per object in its state."""
    client = CloudStackClient(Endpoint("dc1", url, SecretStr(KEY), SecretStr(SECRET)))
    for command, project_id, object_id in known:
        client.request(command, id=object_id, projectid=project_id)
    client.close()
    return sum(client.calls.values())


def _settings(url: str) -> Settings:
    return Settings(
        cloudstack_url=url,
        cloudstack_api_key=SecretStr(KEY),
        cloudstack_secret_key=SecretStr(SECRET),
    )


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        root, cloud, empty = (Path(folder) / name for name in ("repo", "cloud.json", "empty.json"))
        root.mkdir()
        write_repo(root, network_offering="DefaultIsolatedNetworkOfferingWithSourceNatService")
        # new projects go to ROOT, owned by the key's own account (the sandbox's is
        # `stackgate`), so no domain limit caps them
        (root / "stackgate.yaml").write_text(
            "defaults: {domain: ROOT, project_account: stackgate}\n"
        )
        change_one_percent(root)
        known = build_cloud(cloud)
        build_api(api_key=KEY, secret_key=SECRET, state_file=empty).state.save()
        desired = load_repo(root)
        plans: dict[str, Plan] = {}
        calls: dict[str, int] = {}

        def plan(label: str, url: str, projects: set[str] | None) -> None:
            with Clouds(_settings(url)) as clouds:
                plans[label] = plan_projects(desired, clouds, REPO, projects)

        process, url = serve(cloud)
        try:
            full = measure(lambda: plan("full", url, None), runs=1)
            one = measure(lambda: plan("one", url, {"team-150"}), runs=5)
            refresh = measure(lambda: calls.update(refresh=per_object_refresh(url, known)), runs=1)
        finally:
            process.terminate()
            process.wait(timeout=10)
        process, url = serve(empty)
        try:
            new = measure(lambda: plan("new", url, None), runs=1)
        finally:
            process.terminate()
            process.wait(timeout=10)
    assert plans["full"].counts["update-stop"] == CHANGED, plans["full"].summary
    assert not plans["one"].changes, plans["one"].summary
    created = [c for c in plans["new"].changes if c.kind == "project" and c.action == "create"]
    assert len(created) == PROJECTS and not plans["new"].has_errors, plans["new"].diagnostics[:3]
    print(f"plan: {PROJECTS} projects, {len(known):,} objects, {CHANGED} changed")
    rows = (
        ("full plan", plans["full"].api_calls, full),
        ("one-project plan", plans["one"].api_calls, one),
        ("per-object refresh (reads only)", calls["refresh"], refresh),
        (f"{PROJECTS} new projects", plans["new"].api_calls, new),
    )
    for label, count, measured in rows:
        print(
            f"  {label:<32} {count:>7,} calls {measured.seconds * 1000:9.0f} ms  "
            f"peak {mib(measured.peak_bytes)}"
        )
    print(
        f"  ratio (refresh / full plan): calls {calls['refresh'] / plans['full'].api_calls:.0f}x, "
        f"time {refresh.seconds / full.seconds:.1f}x"
    )
    new_calls = plans["new"].api_calls / plans["full"].api_calls
    print(
        f"  ratio (new projects / full plan): calls {new_calls:.2f}x, "
        f"time {new.seconds / full.seconds:.2f}x"
    )
    print("\n".join(plan_vpc.report()))
