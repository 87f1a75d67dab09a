"""Both directions between stackgate and the clients CloudStack users already run.

What OpenTofu's CloudStack provider and the Ansible collection make is read right by
stackgate's live-state reader once tagged, and left alone while it is untagged (adopting it
is issue 17's `adopt`); what `stackgate apply` makes is reported right by the collection's
modules. Mismatches found are in docs/clients.md."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from app.cloudstack.catalog import read_catalog
from app.cloudstack.client import CloudStackClient, Endpoint
from app.cloudstack.inventory import TAG_KEY, TAG_REPO, read_project
from app.sandbox.server import RunningSandbox
from tests.clients.conftest import API_KEY, SECRET_KEY, run_playbook, skip_unless_served
from tests.clients.test_ansible import ssh_public_key
from tests.clients.test_tofu import Tofu

pytestmark = pytest.mark.clients

HERE = Path(__file__).with_name("directions")
REPO = "example.com/acme/clients"


def write_repo(folder: Path) -> Path:
    """A repo declaring, by name, what tests/clients/tofu/main.tf (and directions/make.yml)
    makes."""
    (folder / "projects").mkdir(parents=True)
    (folder / "stackgate.yaml").write_text(f"version: 1\nrepo: {REPO}\n", encoding="utf-8")
    text = (HERE / "payments.yaml").read_text(encoding="utf-8")
    (folder / "projects" / "payments.yaml").write_text(
        text.replace("SSH_PUBLIC_KEY", ssh_public_key()), encoding="utf-8"
    )
    return folder


def stackgate(
    cloud: RunningSandbox, tmp_path: Path, *args: str
) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "STACKGATE_CLOUDSTACK_URL": cloud.url,
        "STACKGATE_CLOUDSTACK_API_KEY": API_KEY,
        "STACKGATE_CLOUDSTACK_SECRET_KEY": SECRET_KEY,
        "STACKGATE_DATABASE_URL": f"sqlite:///{tmp_path / 'stackgate.db'}",
    }
    command = [sys.executable, "-m", "app", *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)


def planned(cloud: RunningSandbox, tmp_path: Path, repo: Path) -> dict[str, Any]:
    done = stackgate(cloud, tmp_path, "plan", str(repo), "--format", "json")
    assert done.returncode in (0, 2), done.stdout[-3000:] + done.stderr[-3000:]
    found: dict[str, Any] = json.loads(done.stdout)
    return found


def client(cloud: RunningSandbox) -> CloudStackClient:
    return CloudStackClient(
        Endpoint("default", cloud.url, SecretStr(API_KEY), SecretStr(SECRET_KEY))
    )


# What issue 17's `adopt` will tag, and as what: (list command, its parameters, the row's
# fields, resource type, stackgate's key). The firewall rule on port 80 that the collection's
# cs_loadbalancer_rule leaves open (docs/clients.md) is not declared: it stays untagged.
ADOPTED: list[tuple[str, dict[str, str], dict[str, object], str, str | None]] = [
    ("listNetworks", {}, {"name": "app-net"}, "Network", "network/app-net"),
    ("listVirtualMachines", {}, {}, "UserVm", "instance/web-1"),
    ("listVolumes", {"type": "DATADISK"}, {}, "Volume", "volume/web-1-data"),
    ("listVolumes", {"type": "ROOT"}, {}, "Volume", None),  # the repo tag only, as stackgate's
    ("listPublicIpAddresses", {}, {"issourcenat": False}, "PublicIpAddress", "public_ip/web-ip"),
    (
        "listFirewallRules",
        {},
        {"startport": 443},
        "FirewallRule",
        "firewall/web-ip:tcp:443:0.0.0.0/0",
    ),
    ("listEgressFirewallRules", {}, {}, "FirewallRule", "egress/app-net:udp:53:0.0.0.0/0"),
    (
        "listPortForwardingRules",
        {},
        {},
        "PortForwardingRule",
        "port_forward/web-ip:tcp:443->web-1:8443",
    ),
    ("listLoadBalancerRules", {}, {}, "LoadBalancer", "load_balancer/web-lb"),
]
# What stackgate's reader makes of the clients' objects once they carry stackgate's tags.
READ: dict[str, dict[str, Any]] = json.loads((HERE / "read.json").read_text(encoding="utf-8"))


def tag_as_adopt_would(api: CloudStackClient, project: str) -> None:
    """stackgate's own tags on every object the client made, and the project's record of the
    key pair."""
    for command, params, fields, resource_type, key in ADOPTED:
        rows = api.list(command, projectid=project, **params)
        (row,) = [r for r in rows if all(r.get(f) == v for f, v in fields.items())]
        tags = [{"key": TAG_REPO, "value": REPO}] + (
            [{"key": TAG_KEY, "value": key}] if key else []
        )
        api.run("createTags", resourcetype=resource_type, resourceids=row["id"], tags=tags)
    sshkey = [{"key": "stackgate.sshkey.ops", "value": REPO}]
    api.run("createTags", resourcetype="Project", resourceids=project, tags=sshkey)


def make_with_tofu(cloud: RunningSandbox, folder: Path) -> None:
    skip_unless_served("the provider's cloudstack_loadbalancer_rule", "listAutoScaleVmGroups")
    folder.mkdir()
    assert "Resources: 9 added" in Tofu(folder, cloud, balancer=True)("apply", "-auto-approve")


def make_with_ansible(cloud: RunningSandbox, folder: Path) -> None:
    folder.mkdir()
    run_playbook(cloud, folder, HERE / "make.yml", ssh_key=ssh_public_key())


@pytest.mark.parametrize("make", [make_with_tofu, make_with_ansible], ids=["tofu", "ansible"])
def test_what_other_clients_make_is_read_right_and_left_alone_while_untagged(
    make: Callable[[RunningSandbox, Path], None], cloud: RunningSandbox, tmp_path: Path
) -> None:
    make(cloud, tmp_path / "client")
    repo = write_repo(tmp_path / "repo")

    # Untagged, their objects are not stackgate's until the repo adopts them, and nothing is
    # deleted. Declared under the clients' names, the named objects, the key pair and the
    # egress rule are adopted. The address is declared as web-ip, not by its address (the
    # ip-<address> key an import writes), so it is a new one, with new rules on it; the load
    # balancer sits on the clients' address, so adopting it as written would replace it:
    # refused (SG208), naming it.
    done = stackgate(cloud, tmp_path, "plan", str(repo), "--format", "json")
    assert done.returncode == 1, done.stdout[-3000:] + done.stderr[-3000:]
    plan = json.loads(done.stdout)
    assert [(c["action"], c["kind"], c["name"]) for c in plan["changes"]] == [
        ("adopt", "ssh_key", "ops"),
        ("adopt", "network", "app-net"),
        ("adopt", "instance", "web-1"),
        ("create", "public_ip", "web-ip"),
        ("adopt", "volume", "web-1-data"),
        ("create", "firewall", "web-ip:tcp:443:0.0.0.0/0"),
        ("adopt", "egress", "app-net:udp:53:0.0.0.0/0"),
        ("create", "port_forward", "web-ip:tcp:443->web-1:8443"),
    ]
    (refused,) = plan["diagnostics"]
    assert refused["code"] == "SG208" and "load_balancer 'web-lb'" in refused["message"]
    instances = [q for q in plan["quotas"] if q["resource"] == "instances"]
    assert [(q["used"], q["change"]) for q in instances] == [(1, 0)]  # adopted, not another

    # Tagged as adopt will tag them, every object reads with the fields the client gave it.
    api = client(cloud)
    tag_as_adopt_would(api, read_catalog(api).projects["payments"].id)
    live = read_project(api, REPO, read_catalog(api).projects["payments"])
    assert {f"{kind}/{name}": obj.fields for (kind, name), obj in live.objects.items()} == READ
    # Load-balancer members are read from stackgate's own stackgate.members tag, not from
    # the cloud (docs/clients.md): a rule another tool made reads with none, so the plan
    # would assign its member again; everything else is as the repo says.
    changes = planned(cloud, tmp_path, repo)["changes"]
    assert [(c["action"], c["name"], c["changed"]) for c in changes] == [
        ("update", "web-lb", [{"field": "members", "before": [], "after": ["web-1"]}])
    ]


def test_what_stackgate_makes_the_collection_reports_right(
    cloud: RunningSandbox, tmp_path: Path
) -> None:
    repo = write_repo(tmp_path / "repo")
    applied = stackgate(cloud, tmp_path, "apply", str(repo), "--auto-approve")
    assert applied.returncode == 0, applied.stdout[-3000:] + applied.stderr[-3000:]
    api = client(cloud)
    project = read_catalog(api).projects["payments"].id
    (address,) = [
        row["ipaddress"]
        for row in api.list("listPublicIpAddresses", projectid=project)
        if not row["issourcenat"]
    ]
    out = tmp_path / "reported.json"
    run_playbook(cloud, tmp_path, HERE / "report.yml", address=address, out=str(out))
    reported = json.loads(out.read_text(encoding="utf-8"))
    (vm,) = reported["instance"]["instances"]
    assert {key: vm.get(key) for key in SHOWN} == {
        "name": "web-1",
        "display_name": "web-1",
        "service_offering": "small",
        "template": "ubuntu-22.04",
        "state": "Running",
        "zone": "zone-a",
        "project": "payments",
        "ssh_key": None,  # a documented limit: the module reads `keypair`, see docs/clients.md
    }
    assert [nic["networkname"] for nic in vm["nic"]] == ["app-net"]
    assert [(v["type"], v["size"]) for v in vm["volumes"]] == [
        ("ROOT", 10 * GIB),
        ("DATADISK", 20 * GIB),
    ]
    assert ours(vm["tags"]) == {"stackgate.repo": REPO, "stackgate.key": "instance/web-1"}
    network, volume, ip = reported["network"], reported["volume"], reported["ip"]
    assert not (network["changed"] or volume["changed"] or ip["changed"])  # all as declared
    assert (network["name"], network["network_offering"], network["cidr"], network["state"]) == (
        "app-net",
        "DefaultIsolatedNetworkOfferingWithSourceNatService",
        "10.1.0.0/24",
        "Implemented",
    )
    assert (volume["name"], volume["size"], volume["vm"], volume["state"]) == (
        "web-1-data",
        20 * GIB,
        "web-1",
        "Ready",
    )
    assert (ip["ip_address"], ip["state"]) == (address, "Allocated")
    assert [ours(found["tags"]) for found in (network, volume, ip)] == [
        {"stackgate.repo": REPO, "stackgate.key": key}
        for key in ("network/app-net", "volume/web-1-data", "public_ip/web-ip")
    ]


GIB = 1024**3
SHOWN = (
    "name",
    "display_name",
    "service_offering",
    "template",
    "state",
    "zone",
    "project",
    "ssh_key",
)


def ours(tags: list[dict[str, str]]) -> dict[str, str]:
    return {tag["key"]: tag["value"] for tag in tags if tag["key"].startswith("stackgate.")}
