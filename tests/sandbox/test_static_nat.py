"""Public addresses on a VPC and static NAT through ``cs``: exclusive of rules, never on source
NAT, shown by listPublicIpAddresses."""

from __future__ import annotations

from typing import Any

import pytest
from cs import CloudStackApiException

from tests.sandbox.conftest import Catalog, CloudStackHttp, deploy
from tests.sandbox.test_vpcs import make_tier, make_vpc


def _error(call: Any, **params: object) -> tuple[int, str]:
    with pytest.raises(CloudStackApiException) as refused:
        call(**params)
    return refused.value.error["errorcode"], refused.value.error["errortext"]


@pytest.fixture
def tier(cs: Any, catalog: Catalog, project: dict[str, Any]) -> Any:
    return make_tier(cs, catalog, make_vpc(cs, catalog, project), "10.20.1.1")


def test_an_address_on_a_vpc_is_static_natted_to_a_tier_vm_and_back(
    cs: Any, api: CloudStackHttp, catalog: Catalog, project: dict[str, Any], tier: dict[str, Any]
) -> None:
    vm = deploy(api, catalog, project, networkids=tier["id"])
    made = cs.associateIpAddress(vpcid=tier["vpcid"], projectid=project["id"], fetch_result=True)
    address = made["ipaddress"]
    assert (address["vpcid"], address["issourcenat"]) == (tier["vpcid"], False)
    assert "associatednetworkid" not in address
    assert cs.enableStaticNat(
        ipaddressid=address["id"], virtualmachineid=vm["id"], networkid=tier["id"]
    ) == {"success": True}
    (shown,) = cs.listPublicIpAddresses(
        id=address["id"], projectid=project["id"], isstaticnat=True
    )["publicipaddress"]
    assert (shown["isstaticnat"], shown["virtualmachineid"]) == (True, vm["id"])
    assert (shown["associatednetworkid"], shown["vmipaddress"]) == (
        tier["id"],
        vm["nic"][0]["ipaddress"],
    )
    cs.disableStaticNat(ipaddressid=address["id"], fetch_result=True)
    (shown,) = cs.listPublicIpAddresses(id=address["id"], projectid=project["id"])[
        "publicipaddress"
    ]
    assert (shown["isstaticnat"], "virtualmachineid" in shown) == (False, False)
    assert _error(cs.disableStaticNat, ipaddressid=address["id"], fetch_result=True) == (
        431,
        "One to one nat is not enabled for the specified ip id",
    )


@pytest.fixture
def isolated(api: CloudStackHttp, catalog: Catalog, project: dict[str, Any]) -> Any:
    """A VM on an isolated network, its source NAT address, and one more address."""
    vm = deploy(api, catalog, project)
    network = vm["nic"][0]["networkid"]
    owner = {"networkid": network, "projectid": project["id"]}
    (nat,) = api.items("listPublicIpAddresses", issourcenat="true", **owner)
    other = api.result("associateIpAddress", **owner)
    return vm, nat, other


def test_static_nat_is_refused_on_a_source_nat_address(cs: Any, isolated: Any) -> None:
    vm, nat, _ = isolated
    code, text = _error(cs.enableStaticNat, ipaddressid=nat["id"], virtualmachineid=vm["id"])
    assert code == 431
    assert text.startswith(f"Can't enable static, ip address Ip[{nat['ipaddress']}-")
    assert text.endswith("] is a sourceNat ip address")


def test_static_nat_and_port_forwards_exclude_each_other(cs: Any, isolated: Any) -> None:
    vm, _, address = isolated
    forward = cs.createPortForwardingRule(
        ipaddressid=address["id"],
        protocol="tcp",
        publicport=22,
        privateport=22,
        virtualmachineid=vm["id"],
        fetch_result=True,
    )["portforwardingrule"]
    code, text = _error(cs.enableStaticNat, ipaddressid=address["id"], virtualmachineid=vm["id"])
    assert code == 537
    assert text.endswith("as it already has PortForwarding rules assigned")
    cs.deletePortForwardingRule(id=forward["id"], fetch_result=True)
    cs.enableStaticNat(ipaddressid=address["id"], virtualmachineid=vm["id"])
    code, text = _error(
        cs.createPortForwardingRule,
        ipaddressid=address["id"],
        protocol="tcp",
        publicport=22,
        privateport=22,
        virtualmachineid=vm["id"],
    )
    assert code == 431
    assert text.startswith("Unable to create port forwarding rule; ip id=")
    assert text.endswith(" has static nat enabled")
    assert _error(
        cs.createLoadBalancerRule,
        publicipid=address["id"],
        name="lb",
        algorithm="roundrobin",
        publicport=80,
        privateport=80,
    ) == (431, "Unable to create load balancer rule; specified sourceip id has static nat enabled")


def test_static_nat_is_refused_where_a_load_balancer_uses_the_address(
    cs: Any, isolated: Any
) -> None:
    vm, _, address = isolated
    cs.createLoadBalancerRule(
        publicipid=address["id"],
        name="lb",
        algorithm="roundrobin",
        publicport=80,
        privateport=80,
        fetch_result=True,
    )
    code, text = _error(cs.enableStaticNat, ipaddressid=address["id"], virtualmachineid=vm["id"])
    assert code == 537
    assert text.endswith("as it already has LoadBalancing rules assigned")


def _address(cs: Any, address: dict[str, Any]) -> Any:
    (shown,) = cs.listPublicIpAddresses(id=address["id"], projectid=address["projectid"])[
        "publicipaddress"
    ]
    return shown


def test_static_nat_outlives_a_destroyed_vm_and_goes_when_it_is_expunged(
    cs: Any, isolated: Any
) -> None:
    """UserVmManagerImpl.cleanupVmResources disables it on expunge only (not on destroy)."""
    vm, _, address = isolated
    cs.enableStaticNat(ipaddressid=address["id"], virtualmachineid=vm["id"])
    cs.destroyVirtualMachine(id=vm["id"], fetch_result=True)
    assert _address(cs, address)["virtualmachineid"] == vm["id"]
    cs.expungeVirtualMachine(id=vm["id"], fetch_result=True)
    shown = _address(cs, address)
    assert (shown["isstaticnat"], "virtualmachineid" in shown, "vmipaddress" in shown) == (
        False,
        False,
        False,
    )


def test_disassociating_a_static_nat_address_releases_it_and_frees_the_vm(
    cs: Any, api: CloudStackHttp, isolated: Any
) -> None:
    """NetworkServiceImpl.releaseIpAddressInternal does not refuse a static NAT address: the
    release revokes its static NAT (revokeAllPFAndStaticNatRulesForIp)."""
    vm, _, address = isolated
    cs.enableStaticNat(ipaddressid=address["id"], virtualmachineid=vm["id"])
    cs.disassociateIpAddress(id=address["id"], fetch_result=True)
    assert cs.listPublicIpAddresses(id=address["id"], projectid=vm["projectid"]) == {}
    other = api.result(
        "associateIpAddress", networkid=vm["nic"][0]["networkid"], projectid=vm["projectid"]
    )
    assert cs.enableStaticNat(ipaddressid=other["id"], virtualmachineid=vm["id"]) == {
        "success": True
    }
