"""Networks, public IPs, firewall/egress/port-forwarding rules, load balancers and SSH keys."""

from __future__ import annotations

from typing import Any

import pytest

from tests.sandbox.conftest import Catalog, CloudStackHttp, deploy, ssh_public_key


@pytest.fixture
def network(api: CloudStackHttp, catalog: Catalog, project: dict[str, Any]) -> dict[str, Any]:
    answer = api.ok(
        "createNetwork",
        name="app-net",
        displaytext="App network",
        networkofferingid=catalog.isolated,
        zoneid=catalog.zone,
        gateway="10.7.0.1",
        netmask="255.255.255.0",
        projectid=project["id"],
    )
    assert list(answer) == ["network"]
    created: dict[str, Any] = answer["network"]
    return created


@pytest.fixture
def address(
    api: CloudStackHttp, network: dict[str, Any], project: dict[str, Any]
) -> dict[str, Any]:
    return api.result("associateIpAddress", networkid=network["id"], projectid=project["id"])


@pytest.fixture
def vm(
    api: CloudStackHttp, catalog: Catalog, project: dict[str, Any], network: dict[str, Any]
) -> dict[str, Any]:
    return deploy(api, catalog, project, networkids=network["id"])


def _firewall(api: CloudStackHttp, address: dict[str, Any], **params: object) -> Any:
    return api.ok("createFirewallRule", ipaddressid=address["id"], protocol="tcp", **params)


def test_create_network_is_synchronous(network: dict[str, Any], project: dict[str, Any]) -> None:
    assert (network["name"], network["displaytext"], network["type"]) == (
        "app-net",
        "App network",
        "Isolated",
    )
    assert (network["cidr"], network["gateway"], network["netmask"]) == (
        "10.7.0.0/24",
        "10.7.0.1",
        "255.255.255.0",
    )
    assert (network["state"], network["projectid"]) == ("Allocated", project["id"])


def test_associate_ip_address_is_async_create_with_an_ipaddress_result(
    api: CloudStackHttp, network: dict[str, Any], project: dict[str, Any]
) -> None:
    answer = api.ok("associateIpAddress", networkid=network["id"], projectid=project["id"])
    assert list(answer) == ["id", "jobid"]
    job = api.job(answer["jobid"])
    assert list(job["jobresult"]) == ["ipaddress"]
    assert (job["jobinstancetype"], job["jobinstanceid"]) == ("IpAddress", answer["id"])
    address = job["jobresult"]["ipaddress"]
    assert (address["id"], address["issourcenat"], address["state"]) == (
        answer["id"],
        True,  # the first address of a fresh network is its source NAT
        "Allocated",
    )
    assert address["associatednetworkid"] == network["id"]
    listed = api.one("listPublicIpAddresses", id=answer["id"], projectid=project["id"])
    assert listed["ipaddress"] == address["ipaddress"]


def test_firewall_rule(
    api: CloudStackHttp, address: dict[str, Any], project: dict[str, Any]
) -> None:
    answer = _firewall(
        api, address, startport=443, endport=443, cidrlist="10.0.0.0/8,192.168.0.0/16"
    )
    assert list(answer) == ["id", "jobid"]
    job = api.job(answer["jobid"])
    assert job["jobinstancetype"] == "FirewallRule"
    rule = job["jobresult"]["firewallrule"]
    assert (rule["id"], rule["protocol"], rule["startport"], rule["endport"]) == (
        answer["id"],
        "tcp",
        443,
        443,
    )
    assert (rule["cidrlist"], rule["state"], rule["ipaddressid"]) == (
        "10.0.0.0/8,192.168.0.0/16",
        "Active",
        address["id"],
    )
    assert (
        api.one("listFirewallRules", ipaddressid=address["id"], projectid=project["id"])["id"]
        == rule["id"]
    )


def test_an_overlapping_firewall_range_is_537(api: CloudStackHttp, address: dict[str, Any]) -> None:
    assert api.job(_firewall(api, address, startport=8000, endport=8100)["jobid"])["jobstatus"] == 1
    status, body = api.fail(
        "createFirewallRule",
        ipaddressid=address["id"],
        protocol="tcp",
        startport=8050,
        endport=8200,
    )
    assert (status, body["cserrorcode"]) == (537, 4360)
    assert body["errortext"].startswith("The range specified, 8050-8200, conflicts with rule ")
    assert body["errortext"].endswith(" which has 8000-8100")


def test_overlapping_ranges_for_other_cidrs_or_protocols_do_not_conflict(
    api: CloudStackHttp, address: dict[str, Any]
) -> None:
    api.job(_firewall(api, address, startport=9000, endport=9100, cidrlist="10.0.0.0/8")["jobid"])
    api.job(
        _firewall(api, address, startport=9000, endport=9100, cidrlist="192.168.0.0/16")["jobid"]
    )
    udp = api.ok(
        "createFirewallRule",
        ipaddressid=address["id"],
        protocol="udp",
        startport=9000,
        endport=9100,
        cidrlist="10.0.0.0/8",
    )
    assert api.job(udp["jobid"])["jobstatus"] == 1


def test_egress_firewall_rule(
    api: CloudStackHttp, network: dict[str, Any], project: dict[str, Any]
) -> None:
    answer = api.ok(
        "createEgressFirewallRule",
        networkid=network["id"],
        protocol="tcp",
        startport=80,
        endport=80,
    )
    assert list(answer) == ["id", "jobid"]
    rule = api.job(answer["jobid"])["jobresult"]["firewallrule"]
    assert (rule["traffictype"], rule["networkid"], rule["startport"]) == (
        "Egress",
        network["id"],
        80,
    )
    assert rule["cidrlist"] == network["cidr"]
    listed = api.one("listEgressFirewallRules", networkid=network["id"], projectid=project["id"])
    assert listed["id"] == rule["id"]


def test_an_egress_rule_without_destinations_lists_none(
    api: CloudStackHttp, network: dict[str, Any], project: dict[str, Any]
) -> None:
    # FirewallManagerImpl keeps a null destCidrList; ApiResponseHelper joins the empty list.
    ports = {"protocol": "udp", "startport": 53, "endport": 53}
    rule = api.result("createEgressFirewallRule", networkid=network["id"], **ports)
    assert rule["destcidrlist"] == ""
    listed = api.one("listEgressFirewallRules", id=rule["id"], projectid=project["id"])
    assert listed["destcidrlist"] == ""
    # detectConflictingCidrs: two empty destination lists overlap.
    _, refused = api.fail("createEgressFirewallRule", networkid=network["id"], **ports)
    assert "conflicts with rule" in refused["errortext"]
    api.done("deleteEgressFirewallRule", id=rule["id"])


def test_port_forwarding_opens_the_firewall_by_default(
    api: CloudStackHttp, address: dict[str, Any], vm: dict[str, Any], project: dict[str, Any]
) -> None:
    answer = api.ok(
        "createPortForwardingRule",
        ipaddressid=address["id"],
        protocol="tcp",
        publicport=443,
        privateport=8443,
        virtualmachineid=vm["id"],
    )
    assert list(answer) == ["id", "jobid"]
    rule = api.job(answer["jobid"])["jobresult"]["portforwardingrule"]
    assert (
        rule["publicport"],
        rule["publicendport"],
        rule["privateport"],
        rule["privateendport"],
    ) == (
        "443",
        "443",
        "8443",
        "8443",
    )
    assert (rule["virtualmachineid"], rule["vmguestip"]) == (vm["id"], vm["nic"][0]["ipaddress"])
    opened = api.one("listFirewallRules", ipaddressid=address["id"], projectid=project["id"])
    assert (opened["startport"], opened["endport"], opened["protocol"], opened["cidrlist"]) == (
        443,
        443,
        "tcp",
        "0.0.0.0/0",
    )
    assert api.done("deletePortForwardingRule", id=rule["id"]) == {"success": True}
    assert api.items("listFirewallRules", ipaddressid=address["id"], projectid=project["id"]) == []


def test_port_forwarding_without_opening_the_firewall(
    api: CloudStackHttp, address: dict[str, Any], vm: dict[str, Any], project: dict[str, Any]
) -> None:
    api.result(
        "createPortForwardingRule",
        ipaddressid=address["id"],
        protocol="tcp",
        publicport=22,
        privateport=22,
        virtualmachineid=vm["id"],
        openfirewall="false",
    )
    assert api.items("listFirewallRules", ipaddressid=address["id"], projectid=project["id"]) == []
    listed = api.one("listPortForwardingRules", ipaddressid=address["id"], projectid=project["id"])
    assert listed["publicport"] == "22"


def test_port_forwarding_ranges_conflict(
    api: CloudStackHttp, address: dict[str, Any], vm: dict[str, Any]
) -> None:
    common = {"ipaddressid": address["id"], "virtualmachineid": vm["id"], "openfirewall": "false"}
    api.result("createPortForwardingRule", protocol="tcp", publicport=80, privateport=80, **common)
    status, body = api.fail(
        "createPortForwardingRule", protocol="tcp", publicport=80, privateport=8080, **common
    )
    assert (status, body["cserrorcode"]) == (537, 4360)
    assert body["errortext"].startswith("The range specified, 80-80, conflicts with rule ")
    api.result("createPortForwardingRule", protocol="udp", publicport=80, privateport=80, **common)


def test_load_balancer(
    api: CloudStackHttp, address: dict[str, Any], vm: dict[str, Any], project: dict[str, Any]
) -> None:
    answer = api.ok(
        "createLoadBalancerRule",
        publicipid=address["id"],
        name="web-lb",
        algorithm="roundrobin",
        publicport=80,
        privateport=8080,
        openfirewall="false",
    )
    assert list(answer) == ["id", "jobid"]
    job = api.job(answer["jobid"])
    assert list(job["jobresult"]) == ["loadbalancer"]
    balancer = job["jobresult"]["loadbalancer"]
    assert (balancer["publicport"], balancer["privateport"], balancer["algorithm"]) == (
        "80",
        "8080",
        "roundrobin",
    )
    assert (balancer["publicip"], balancer["state"]) == (address["ipaddress"], "Active")
    listed = api.ok("listLoadBalancerRules", publicipid=address["id"], projectid=project["id"])
    assert list(listed) == ["count", "loadbalancerrule"]
    assert listed["loadbalancerrule"][0]["id"] == balancer["id"]
    assert api.done("assignToLoadBalancerRule", id=balancer["id"], virtualmachineids=vm["id"]) == {
        "success": True
    }
    member = api.one("listLoadBalancerRuleInstances", id=balancer["id"])
    assert (member["id"], member["name"]) == (vm["id"], vm["name"])
    api.done("removeFromLoadBalancerRule", id=balancer["id"], virtualmachineids=vm["id"])
    assert api.items("listLoadBalancerRuleInstances", id=balancer["id"]) == []
    updated = api.result("updateLoadBalancerRule", id=balancer["id"], algorithm="leastconn")
    assert (updated["id"], updated["algorithm"], updated["name"]) == (
        balancer["id"],
        "leastconn",
        "web-lb",
    )
    listed = api.ok("listLoadBalancerRules", id=balancer["id"], projectid=project["id"])
    assert listed["loadbalancerrule"][0]["algorithm"] == "leastconn"


def test_a_load_balancer_opens_the_firewall_by_default(
    api: CloudStackHttp, address: dict[str, Any], project: dict[str, Any]
) -> None:
    api.result(
        "createLoadBalancerRule",
        publicipid=address["id"],
        name="lb",
        algorithm="source",
        publicport=8443,
        privateport=443,
    )
    opened = api.one("listFirewallRules", ipaddressid=address["id"], projectid=project["id"])
    assert (opened["startport"], opened["endport"], opened["cidrlist"]) == (8443, 8443, "0.0.0.0/0")


def test_ssh_key_pairs(api: CloudStackHttp, project: dict[str, Any]) -> None:
    answer = api.ok(
        "registerSSHKeyPair", name="deploy", publickey=ssh_public_key(7), projectid=project["id"]
    )
    key = answer["keypair"]
    assert (key["name"], key["projectid"]) == ("deploy", project["id"])
    assert re_fingerprint(key["fingerprint"])
    assert api.one("listSSHKeyPairs", projectid=project["id"], name="deploy")["id"] == key["id"]
    assert api.ok("deleteSSHKeyPair", name="deploy", projectid=project["id"]) == {"success": True}
    assert api.ok("listSSHKeyPairs", projectid=project["id"]) == {}


def re_fingerprint(value: str) -> bool:
    parts = value.split(":")
    return len(parts) == 16 and all(len(part) == 2 for part in parts)


def test_an_invalid_public_key_is_431(api: CloudStackHttp, project: dict[str, Any]) -> None:
    status, body = api.fail(
        "registerSSHKeyPair", name="bad", publickey="not a key", projectid=project["id"]
    )
    assert (status, body["cserrorcode"], body["errortext"]) == (431, 4350, "Public key is invalid")


def test_a_rules_tags_belong_to_its_project(
    api: CloudStackHttp, address: dict[str, Any], project: dict[str, Any]
) -> None:
    """A rule's answer names no project, but its tags do (resource_tags keeps the owner), so
    listTags by project finds them: how apply reads back what a cut-off createTags wrote."""
    rule = api.result("createFirewallRule", ipaddressid=address["id"], protocol="icmp")
    api.done(
        "createTags",
        resourcetype="FirewallRule",
        resourceids=rule["id"],
        **{"tags[0].key": "team", "tags[0].value": "payments"},
    )
    tag = api.one("listTags", resourceid=rule["id"], projectid=project["id"])
    assert (tag["key"], tag["resourcetype"], tag["projectid"]) == (
        "team",
        "FirewallRule",
        project["id"],
    )
    assert tag["project"] == project["name"]
