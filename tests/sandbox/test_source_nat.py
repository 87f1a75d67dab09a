"""Source NAT as CloudStack assigns and guards it (IpAddressManagerImpl, NetworkServiceImpl)."""

from __future__ import annotations

from typing import Any

import pytest

from app.sandbox.server import RunningSandbox
from tests.sandbox.conftest import Catalog, CloudStackHttp, deploy

IN_USE = "IP address is used for source nat purposes and can not be disassociated."


@pytest.fixture
def network(api: CloudStackHttp, catalog: Catalog, project: dict[str, Any]) -> dict[str, Any]:
    created: dict[str, Any] = api.ok(
        "createNetwork",
        name="snat-net",
        displaytext="snat-net",
        networkofferingid=catalog.isolated,
        zoneid=catalog.zone,
        projectid=project["id"],
    )["network"]
    return created


def _associate(api: CloudStackHttp, network: dict[str, Any], project: dict[str, Any]) -> Any:
    return api.result("associateIpAddress", networkid=network["id"], projectid=project["id"])


def _addresses(
    api: CloudStackHttp, network: dict[str, Any], project: dict[str, Any]
) -> list[dict[str, Any]]:
    return api.items(
        "listPublicIpAddresses", associatednetworkid=network["id"], projectid=project["id"]
    )


def test_the_first_address_of_a_fresh_network_becomes_its_source_nat(
    api: CloudStackHttp, network: dict[str, Any], project: dict[str, Any]
) -> None:
    first = _associate(api, network, project)
    second = _associate(api, network, project)
    assert (first["issourcenat"], second["issourcenat"]) == (True, False)


def test_the_first_deploy_reuses_the_source_nat_address(
    api: CloudStackHttp, catalog: Catalog, network: dict[str, Any], project: dict[str, Any]
) -> None:
    first = _associate(api, network, project)
    deploy(api, catalog, project, networkids=network["id"])
    assert [(a["id"], a["issourcenat"]) for a in _addresses(api, network, project)] == [
        (first["id"], True)
    ]


def test_a_source_nat_address_of_an_allocated_network_can_be_released(
    api: CloudStackHttp, network: dict[str, Any], project: dict[str, Any]
) -> None:
    first = _associate(api, network, project)
    api.done("disassociateIpAddress", id=first["id"])
    assert _addresses(api, network, project) == []
    assert _associate(api, network, project)["issourcenat"] is True


def test_releasing_a_source_nat_address_in_use_fails_its_job_with_530(
    api: CloudStackHttp, catalog: Catalog, network: dict[str, Any], project: dict[str, Any]
) -> None:
    first = _associate(api, network, project)
    deploy(api, catalog, project, networkids=network["id"])
    job = api.run("disassociateIpAddress", id=first["id"])
    assert (job["jobstatus"], job["jobresultcode"]) == (2, 530)
    assert job["jobresult"] == {"errorcode": 530, "errortext": IN_USE}
    assert [a["id"] for a in _addresses(api, network, project)] == [first["id"]]


def test_a_deploy_on_a_network_without_addresses_allocates_its_source_nat(
    api: CloudStackHttp, catalog: Catalog, network: dict[str, Any], project: dict[str, Any]
) -> None:
    deploy(api, catalog, project, networkids=network["id"])
    (source_nat,) = _addresses(api, network, project)
    assert source_nat["issourcenat"] is True
    assert _associate(api, network, project)["issourcenat"] is False
    job = api.run("disassociateIpAddress", id=source_nat["id"])
    assert job["jobresult"]["errortext"] == IN_USE


def test_deleting_a_network_releases_its_addresses_to_the_pool(
    api: CloudStackHttp, sandbox: RunningSandbox, network: dict[str, Any], project: dict[str, Any]
) -> None:
    # NetworkOrchestrator.cleanupNetworkResources: every address of the network is released.
    made = [_associate(api, network, project) for _ in range(2)]
    api.done("deleteNetwork", id=network["id"])
    assert _addresses(api, network, project) == []
    pool = sandbox.api.state.public_pool
    assert [f"{a['zoneid']}/{a['ipaddress']}" in pool for a in made] == [True, True]
