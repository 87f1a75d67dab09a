"""Port forwards and load balancers on a VPC's public address through ``cs``: the rule names a
tier (``networkid``), the address joins it, and no firewall rule is opened (RulesManagerImpl,
LoadBalancingRulesManagerImpl)."""

from __future__ import annotations

from typing import Any

import pytest
from cs import CloudStackApiException

from tests.sandbox.conftest import Catalog, CloudStackHttp, deploy
from tests.sandbox.test_vpcs import make_tier, make_vpc


def _error(call: Any, **params: object) -> tuple[int, str]:
    with pytest.raises(CloudStackApiException) as refused:
        call(fetch_result=True, **params)
    return refused.value.error["errorcode"], refused.value.error["errortext"]


@pytest.fixture
def placed(cs: Any, api: CloudStackHttp, catalog: Catalog, project: dict[str, Any]) -> Any:
    """Two tiers of a VPC, a VM on the first, and a new address on the VPC."""
    vpc = make_vpc(cs, catalog, project)
    web, app = make_tier(cs, catalog, vpc, "10.20.1.1"), make_tier(cs, catalog, vpc, "10.20.2.1")
    vm = deploy(api, catalog, project, networkids=web["id"])
    address = cs.associateIpAddress(vpcid=vpc["id"], projectid=project["id"], fetch_result=True)
    return web, app, vm, address["ipaddress"]


def _shown(cs: Any, address: dict[str, Any]) -> Any:
    (shown,) = cs.listPublicIpAddresses(id=address["id"], projectid=address["projectid"])[
        "publicipaddress"
    ]
    return shown


def _forward(address: dict[str, Any], vm: dict[str, Any], **params: object) -> dict[str, object]:
    return {
        "ipaddressid": address["id"],
        "protocol": "tcp",
        "publicport": 22,
        "privateport": 22,
        "virtualmachineid": vm["id"],
        **params,
    }


def test_a_port_forward_on_a_vpc_address_puts_it_on_the_tier_and_opens_no_firewall(
    cs: Any, placed: Any
) -> None:
    web, _, vm, address = placed
    rule = cs.createPortForwardingRule(
        fetch_result=True, **_forward(address, vm, networkid=web["id"])
    )["portforwardingrule"]
    assert (rule["networkid"], rule["vmguestip"]) == (web["id"], vm["nic"][0]["ipaddress"])
    assert _shown(cs, address)["associatednetworkid"] == web["id"]
    assert cs.listFirewallRules(ipaddressid=address["id"], projectid=vm["projectid"]) == {}
    cs.deletePortForwardingRule(id=rule["id"], fetch_result=True)
    assert "associatednetworkid" not in _shown(cs, address)  # unassignIPFromVpcNetwork


def test_a_port_forward_on_a_vpc_address_is_refused_in_cloudstacks_words(
    cs: Any, placed: Any
) -> None:
    web, app, vm, address = placed
    assert _error(
        cs.createPortForwardingRule, **_forward(address, vm, networkid=web["id"], openfirewall=True)
    ) == (431, "Can't have openFirewall=true when IP address belongs to VPC")
    code, text = _error(cs.createPortForwardingRule, **_forward(address, vm))
    assert code == 431
    assert text.startswith("Unable to create port forwarding rule for the ipAddress id=")
    assert text.endswith(" as ip is not associated with any network and no networkId is passed in")
    assert _error(cs.createPortForwardingRule, **_forward(address, vm, networkid=app["id"])) == (
        431,
        "Vm doesn't belong to network associated with ipAddress",
    )
    assert "associatednetworkid" not in _shown(cs, address)  # a refused rule assigns nothing


def _balancer(address: dict[str, Any], **params: object) -> dict[str, object]:
    return {
        "publicipid": address["id"],
        "name": "web",
        "algorithm": "roundrobin",
        "publicport": 80,
        "privateport": 8080,
        **params,
    }


def test_a_load_balancer_on_a_vpc_address_balances_a_tier(cs: Any, placed: Any) -> None:
    web, _, vm, address = placed
    code, text = _error(cs.createLoadBalancerRule, **_balancer(address))
    assert code == 431
    assert text.startswith("IP address ID=")
    assert text.endswith(" is not associated with any network")
    assert _error(
        cs.createLoadBalancerRule, **_balancer(address, networkid=web["id"], openfirewall=True)
    ) == (431, "Can't have openFirewall=true when IP address belongs to VPC")
    balancer = cs.createLoadBalancerRule(
        fetch_result=True, **_balancer(address, networkid=web["id"])
    )["loadbalancer"]
    assert balancer["networkid"] == web["id"]
    assert _shown(cs, address)["associatednetworkid"] == web["id"]
    assert cs.listFirewallRules(ipaddressid=address["id"], projectid=vm["projectid"]) == {}
    cs.assignToLoadBalancerRule(id=balancer["id"], virtualmachineids=vm["id"], fetch_result=True)
    (member,) = cs.listLoadBalancerRuleInstances(id=balancer["id"])["loadbalancerruleinstance"]
    assert member["id"] == vm["id"]
    cs.deleteLoadBalancerRule(id=balancer["id"], fetch_result=True)
    assert "associatednetworkid" not in _shown(cs, address)
