"""A Kubernetes cluster on a VPC tier takes a public address of its own: the tier has no source
NAT address for CKS's API and SSH rules, so KubernetesClusterActionWorker
.acquireVpcTierKubernetesPublicIp allocates one to the VPC, joins it to the tier and records it
on the cluster (PUBLIC_IP_ID); it counts against the project's public_ip limit like any
address, and KubernetesClusterDestroyWorker.releaseVpcTierPublicIpIfNeeded releases it."""

from __future__ import annotations

from typing import Any

import pytest

from tests.sandbox.conftest import Catalog, CloudStackHttp, ClusterParams
from tests.sandbox.test_vpcs import make_tier, make_vpc


@pytest.fixture
def vpc_tier(
    cs: Any, catalog: Catalog, project: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """A VPC of the test's project and its tier 10.20.1.0/24, for the cluster to go on."""
    vpc = make_vpc(cs, catalog, project)
    return vpc, make_tier(cs, catalog, vpc, "10.20.1.1")


def test_a_cluster_on_a_tier_holds_an_address_of_its_own_until_deleted(
    api: CloudStackHttp,
    project: dict[str, Any],
    cluster_params: ClusterParams,
    vpc_tier: tuple[dict[str, Any], dict[str, Any]],
) -> None:
    vpc, tier = vpc_tier
    before = api.one("listProjects", id=project["id"])["iptotal"]  # the VPC's source NAT
    cluster = api.result("createKubernetesCluster", **cluster_params(networkid=tier["id"]))
    (address,) = [
        ip
        for ip in api.items("listPublicIpAddresses", projectid=project["id"])
        if ip.get("associatednetworkid") == tier["id"]
    ]
    assert (address["vpcid"], address["issourcenat"]) == (vpc["id"], False)
    assert (cluster["ipaddress"], cluster["ipaddressid"]) == (address["ipaddress"], address["id"])
    assert cluster["endpoint"] == f"https://{address['ipaddress']}:6443/"
    assert api.one("listProjects", id=project["id"])["iptotal"] == before + 1
    api.done("deleteKubernetesCluster", id=cluster["id"])
    assert api.one("listProjects", id=project["id"])["iptotal"] == before
    assert api.items("listNetworks", id=tier["id"], projectid=project["id"])  # the tier stays


def test_without_an_address_left_the_cluster_fails_in_error(
    api: CloudStackHttp,
    project: dict[str, Any],
    cluster_params: ClusterParams,
    vpc_tier: tuple[dict[str, Any], dict[str, Any]],
) -> None:
    _, tier = vpc_tier
    held = api.one("listProjects", id=project["id"])["iptotal"]
    api.ok("updateResourceLimit", projectid=project["id"], resourcetype=1, max=held)
    options = cluster_params(networkid=tier["id"])
    name = options["name"]
    job = api.run("createKubernetesCluster", **options)
    assert (job["jobstatus"], job["jobresult"]["errortext"]) == (
        2,
        f"Failed to start Kubernetes cluster : {name} as failed to acquire public IP",
    )
    failed = api.one("listKubernetesClusters", name=name, projectid=project["id"])
    assert (failed["state"], failed["virtualmachines"]) == ("Error", [])
