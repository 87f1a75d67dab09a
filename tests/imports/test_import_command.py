"""`stackgate import` on the sandbox: objects made untagged by a client we did not write (`cs`)
come back as a project file that validates, by name, with what stackgate does not model listed."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from app.cli import FAILED, cli
from app.imports.keys import PASTE
from app.spec import load_repo
from tests.sandbox.conftest import API_KEY, SECRET_KEY, ssh_public_key

runner = CliRunner()


def _ids(cs: Any, command: str, key: str, **params: Any) -> dict[str, str]:
    return {row["name"]: row["id"] for row in getattr(cs, command)(**params).get(key, [])}


def _build(cs: Any) -> dict[str, str]:
    """A small brownfield project, made by hand: nothing carries a stackgate tag."""
    project = _ids(cs, "listProjects", "project", name="payments")["payments"]
    zone = _ids(cs, "listZones", "zone")["zone-a"]
    offering = _ids(cs, "listNetworkOfferings", "networkoffering")[
        "DefaultIsolatedNetworkOfferingWithSourceNatService"
    ]
    template = _ids(cs, "listTemplates", "template", templatefilter="executable", zoneid=zone)
    net = cs.createNetwork(
        name="app-net",
        displaytext="app tier",
        zoneid=zone,
        networkofferingid=offering,
        projectid=project,
        gateway="10.9.0.1",
        netmask="255.255.255.0",
    )["network"]
    legacy = cs.createNetwork(
        name="Legacy Net",
        displaytext="Legacy Net",
        zoneid=zone,
        networkofferingid=offering,
        projectid=project,
        gateway="10.9.1.1",
        netmask="255.255.255.0",
    )["network"]
    vm = cs.deployVirtualMachine(
        name="web-1",
        zoneid=zone,
        templateid=template["ubuntu-22.04"],
        networkids=net["id"],
        serviceofferingid=_ids(cs, "listServiceOfferings", "serviceoffering")["medium"],
        projectid=project,
    )["virtualmachine"]
    disk = _ids(cs, "listDiskOfferings", "diskoffering")["standard"]
    volume = cs.createVolume(
        name="web-1-data", diskofferingid=disk, size=20, zoneid=zone, projectid=project
    )["volume"]
    cs.attachVolume(id=volume["id"], virtualmachineid=vm["id"])
    ip = cs.associateIpAddress(networkid=net["id"], projectid=project)["ipaddress"]
    cs.createFirewallRule(
        ipaddressid=ip["id"], protocol="tcp", startport=443, endport=443, cidrlist="0.0.0.0/0"
    )
    cs.createPortForwardingRule(
        ipaddressid=ip["id"],
        protocol="tcp",
        publicport=2222,
        privateport=22,
        virtualmachineid=vm["id"],
        openfirewall="false",
    )
    cs.createEgressFirewallRule(networkid=net["id"], protocol="all")
    rule = cs.createLoadBalancerRule(
        name="web-lb",
        publicipid=ip["id"],
        algorithm="roundrobin",
        publicport=80,
        privateport=8080,
        networkid=net["id"],
    )["loadbalancer"]
    cs.assignToLoadBalancerRule(id=rule["id"], virtualmachineids=vm["id"])
    cs.registerSSHKeyPair(name="ops", publickey=ssh_public_key(1), projectid=project)
    made = {"ip": ip["ipaddress"], "ip_id": ip["id"], "vm": vm["id"], "net": net["id"]}
    return {**made, "legacy": legacy["id"], "template": template["ubuntu-22.04"], "zone": zone}


def paste(path: Path, public_key: str) -> None:
    """What the operator does: the key pair's public key in place of the placeholder."""
    text = path.read_text(encoding="utf-8")
    text = re.sub(f"public_key: {PASTE}.*", f"public_key: '{public_key}'", text)
    path.write_text(text, encoding="utf-8")


def test_a_hand_made_project_is_imported_by_name_and_validates(cs: Any, tmp_path: Path) -> None:
    made = _build(cs)
    cs.deployVirtualMachine(
        name="db-1",
        zoneid=made["zone"],
        templateid=made["template"],
        networkids=made["legacy"],
        serviceofferingid=_ids(cs, "listServiceOfferings", "serviceoffering")["small"],
        projectid=_ids(cs, "listProjects", "project", name="payments")["payments"],
    )
    result = runner.invoke(cli, ["import", "--project", "payments", "--out", str(tmp_path)])
    # 'Legacy Net' breaks the rule for names and the key pair has no public key: both said, exit 1
    assert result.exit_code == FAILED, result.output
    assert "network 'Legacy Net'" in result.output and "as legacy-net" in result.output
    assert "names are lower-case" in result.output
    assert "ssh_key ops" in result.output and "public key" in result.output
    written = (tmp_path / "projects" / "payments.yaml").read_text(encoding="utf-8")
    assert made["vm"] not in written and made["net"] not in written  # names, never ids
    paste(tmp_path / "projects" / "payments.yaml", ssh_public_key(1))  # the file validates then
    desired = load_repo(tmp_path)
    assert desired.ok, [str(d) for d in desired.diagnostics]
    project = desired.projects["payments"]
    key = "ip-" + made["ip"].replace(".", "-")
    assert project.networks["app-net"].cidr is not None
    web = project.instances["web-1"]
    assert (web.offering, web.template, web.networks) == ("medium", "ubuntu-22.04", ["app-net"])
    assert project.volumes["web-1-data"].attach_to == "web-1"
    assert project.public_ips[key].network == "app-net"
    # the load balancer rule opened its port in the firewall as CloudStack does by default
    rules = {(r.ip, r.protocol, str(r.ports)) for r in project.firewall}
    assert rules == {(key, "tcp", "443"), (key, "tcp", "80")}
    assert [(p.ip, p.instance) for p in project.port_forwards] == [(key, "web-1")]
    assert [(e.network, e.protocol) for e in project.egress] == [("app-net", "all")]
    assert project.load_balancers["web-lb"].members == ["web-1"]
    # under a valid key, CloudStack's name kept beside it; what uses it refers to the key
    assert "  legacy-net:  # CloudStack name: Legacy Net\n" in written
    assert project.networks["legacy-net"].cidr == "10.9.1.0/24"
    assert project.instances["db-1"].networks == ["legacy-net"]
    # what was left out or renamed is listed at the top, never dropped in silence
    assert written.startswith("# ") and "# Written with a placeholder" in written
    assert f"network 'Legacy Net' (id {made['legacy']}) as legacy-net: names" in written


def test_twice_gives_the_same_bytes(cs: Any, tmp_path: Path) -> None:
    _build(cs)
    first, second = tmp_path / "a", tmp_path / "b"
    for out in (first, second):
        runner.invoke(cli, ["import", "--project", "payments", "--out", str(out)])
    target = Path("projects") / "payments.yaml"
    assert (first / target).read_bytes() == (second / target).read_bytes()


@pytest.mark.usefixtures("sandbox")
def test_a_project_that_does_not_exist_is_one_message(tmp_path: Path) -> None:
    result = runner.invoke(cli, ["import", "--project", "nope", "--out", str(tmp_path)])
    assert result.exit_code == FAILED
    assert "has no project 'nope'" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "projects").exists()


def test_a_cloud_that_cannot_be_read_is_one_message(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("STACKGATE_CLOUDSTACK_URL", "http://127.0.0.1:9/client/api")
    monkeypatch.setenv("STACKGATE_CLOUDSTACK_API_KEY", API_KEY)
    monkeypatch.setenv("STACKGATE_CLOUDSTACK_SECRET_KEY", SECRET_KEY)
    result = runner.invoke(cli, ["import", "--project", "payments", "--out", str(tmp_path)])
    assert result.exit_code == FAILED
    assert "stackgate import:" in result.output
    assert not (tmp_path / "projects").exists()


def test_kinds_stackgate_does_not_model_are_listed_at_the_top_with_their_ids(
    cs: Any, tmp_path: Path
) -> None:
    made = _build(cs)
    project = _ids(cs, "listProjects", "project", name="payments")["payments"]
    vpc = cs.createVPC(
        name="core",
        displaytext="core",
        cidr="10.20.0.0/16",
        zoneid=made["zone"],
        vpcofferingid=_ids(cs, "listVPCOfferings", "vpcoffering")["Default VPC offering"],
        projectid=project,
    )
    runner.invoke(cli, ["import", "--project", "payments", "--out", str(tmp_path)])
    written = (tmp_path / "projects" / "payments.yaml").read_text(encoding="utf-8")
    top = written[: written.index("\nproject: payments")]
    assert vpc["vpc"]["id"] not in top  # a VPC is modelled now: an entry, not a comment
    assert "vpcs:\n  core:\n    offering: Default VPC offering\n    cidr: 10.20.0.0/16\n" in written
