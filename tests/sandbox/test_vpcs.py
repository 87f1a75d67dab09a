"""VPCs and their tiers through ``cs``: offerings, create/list/update/delete, tier CIDR rules."""

from __future__ import annotations

from typing import Any

import pytest
from cs import CloudStackApiException

from tests.sandbox.conftest import Catalog, CloudStackHttp, unique


def make_vpc(cs: Any, catalog: Catalog, project: dict[str, Any], **params: object) -> Any:
    options: dict[str, object] = {
        "name": unique("vpc"),
        "zoneid": catalog.zone,
        "cidr": "10.20.0.0/16",
        "vpcofferingid": catalog.vpc_offering,
        "projectid": project["id"],
    }
    options.update(params)
    return cs.createVPC(fetch_result=True, **options)["vpc"]


def make_tier(
    cs: Any, catalog: Catalog, vpc: dict[str, Any], gateway: str, **params: object
) -> Any:
    options: dict[str, object] = {
        "name": unique("tier"),
        "zoneid": catalog.zone,
        "networkofferingid": catalog.tier,
        "vpcid": vpc["id"],
        "gateway": gateway,
        "netmask": "255.255.255.0",
        "projectid": vpc["projectid"],
    }
    options.update(params)
    return cs.createNetwork(**options)["network"]


@pytest.fixture
def vpc(cs: Any, catalog: Catalog, project: dict[str, Any]) -> Any:
    return make_vpc(cs, catalog, project)


def test_the_default_vpc_offering_lists_its_services(cs: Any) -> None:
    (offering,) = cs.listVPCOfferings(name="Default VPC offering")["vpcoffering"]
    services = {service["name"] for service in offering["service"]}
    assert {"NetworkACL", "SourceNat", "StaticNat", "Lb", "PortForwarding"} <= services
    assert (offering["state"], offering["isdefault"]) == ("Enabled", True)


def test_create_vpc_is_async_and_takes_a_source_nat_address(
    cs: Any, vpc: dict[str, Any], project: dict[str, Any]
) -> None:
    assert (vpc["state"], vpc["cidr"], vpc["projectid"]) == (
        "Enabled",
        "10.20.0.0/16",
        project["id"],
    )
    (listed,) = cs.listVPCs(id=vpc["id"], projectid=project["id"])["vpc"]
    assert listed["name"] == vpc["name"]
    (nat,) = cs.listPublicIpAddresses(projectid=project["id"], vpcid=vpc["id"])["publicipaddress"]
    assert (nat["issourcenat"], nat["vpcid"]) == (True, vpc["id"])


def test_update_vpc_changes_name_and_text(cs: Any, vpc: dict[str, Any]) -> None:
    updated = cs.updateVPC(id=vpc["id"], name="renamed", displaytext="new", fetch_result=True)
    assert (updated["vpc"]["name"], updated["vpc"]["displaytext"]) == ("renamed", "new")


def test_a_tier_is_a_network_inside_the_vpc_with_the_default_deny_acl(
    cs: Any, catalog: Catalog, vpc: dict[str, Any]
) -> None:
    tier = make_tier(cs, catalog, vpc, "10.20.1.1")
    assert (tier["vpcid"], tier["cidr"], tier["gateway"]) == (
        vpc["id"],
        "10.20.1.0/24",
        "10.20.1.1",
    )
    assert tier["aclname"] == "default_deny"
    (listed,) = cs.listVPCs(id=vpc["id"], projectid=vpc["projectid"])["vpc"]
    assert [network["id"] for network in listed["network"]] == [tier["id"]]


def _refusal(call: Any, **params: object) -> tuple[int, str]:
    with pytest.raises(CloudStackApiException) as refused:
        call(**params)
    error = refused.value.error
    return error["errorcode"], error["errortext"]


def test_a_tier_outside_the_vpc_or_crossing_another_is_refused(
    cs: Any, catalog: Catalog, vpc: dict[str, Any]
) -> None:
    first = make_tier(cs, catalog, vpc, "10.20.1.1")
    assert first["id"]
    code, text = _refusal(make_tier, cs=cs, catalog=catalog, vpc=vpc, gateway="10.30.1.1")
    assert code == 431
    assert text.startswith("Network cidr 10.30.1.0/24 is not within vpc [VPC [")
    assert text.endswith(f"-{vpc['name']}] cidr")
    code, text = _refusal(
        make_tier, cs=cs, catalog=catalog, vpc=vpc, gateway="10.20.0.1", netmask="255.255.0.0"
    )
    assert (code, text.split(" crosses ")[0]) == (431, "Network cidr 10.20.0.0/16")
    assert "crosses other network cidr Ntwk[" in text and "belonging to the same vpc" in text


def test_a_tier_needs_a_vpc_offering_and_a_vpc_offering_needs_a_vpc(
    cs: Any, catalog: Catalog, vpc: dict[str, Any]
) -> None:
    assert _refusal(
        make_tier,
        cs=cs,
        catalog=catalog,
        vpc=vpc,
        gateway="10.20.2.1",
        networkofferingid=catalog.isolated,
    ) == (431, "Network offering can't be used for VPC networks")
    assert _refusal(
        cs.createNetwork,
        name="x",
        zoneid=catalog.zone,
        networkofferingid=catalog.tier,
        gateway="10.9.0.1",
        netmask="255.255.255.0",
    ) == (431, "Network offering can be used for VPC networks only")


def test_delete_vpc_is_refused_while_tiers_remain(
    cs: Any, catalog: Catalog, vpc: dict[str, Any]
) -> None:
    tier = make_tier(cs, catalog, vpc, "10.20.3.1")
    with pytest.raises(CloudStackApiException) as refused:
        cs.deleteVPC(id=vpc["id"], fetch_result=True)
    assert refused.value.error["errorcode"] == 431
    assert refused.value.error["errortext"].endswith(f"-{vpc['name']}] as its used by 1 networks")
    cs.deleteNetwork(id=tier["id"], fetch_result=True)
    cs.deleteVPC(id=vpc["id"], fetch_result=True)
    assert cs.listVPCs(id=vpc["id"], projectid=vpc["projectid"]) == {}


def test_the_vpcs_project_limit_counts_vpcs(
    api: CloudStackHttp, cs: Any, catalog: Catalog, project: dict[str, Any]
) -> None:
    api.ok("updateResourceLimit", projectid=project["id"], resourcetype=7, max=1)
    make_vpc(cs, catalog, project)
    (limit,) = cs.listResourceLimits(projectid=project["id"], resourcetype=7)["resourcelimit"]
    assert limit["max"] == 1
    code, text = _refusal(
        cs.createVPC,
        name="two",
        zoneid=catalog.zone,
        cidr="10.21.0.0/16",
        vpcofferingid=catalog.vpc_offering,
        projectid=project["id"],
    )
    assert code == 535 and "vpc" in text
