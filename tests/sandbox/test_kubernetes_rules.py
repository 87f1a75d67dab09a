"""The network rules CKS makes for a cluster (KubernetesClusterResourceModifierActionWorker), as
the sandbox makes them: on an isolated network's source NAT address the SSH and API firewall
rules, a forward 2222+i → 22 per node and the "api-lb" load balancer over the control nodes;
remade for the nodes on a scale, removed with the cluster when its network stays; on a VPC
tier's own address the API forwarded to the first control node. None carries a tag."""

from __future__ import annotations

from typing import Any

from tests.sandbox.conftest import Catalog, CloudStackHttp, ClusterParams
from tests.sandbox.test_source_nat import network
from tests.sandbox.test_vpcs import make_tier, make_vpc

__all__ = ["network"]


def _cluster(
    api: CloudStackHttp, cluster_params: ClusterParams, **params: object
) -> dict[str, Any]:
    """A cluster of two workers unless ``params`` say otherwise, made and running."""
    return api.result("createKubernetesCluster", **cluster_params(**{"size": 2, **params}))


def _rules(api: CloudStackHttp, cluster: dict[str, Any]) -> dict[str, Any]:
    """The rules on the cluster's address, as (protocol, ports, ...) tuples per kind."""
    scope = {"ipaddressid": cluster["ipaddressid"], "projectid": cluster["projectid"]}
    firewall = api.items("listFirewallRules", **scope)
    forwards = api.items("listPortForwardingRules", **scope)
    balancers = api.items(
        "listLoadBalancerRules", publicipid=cluster["ipaddressid"], projectid=cluster["projectid"]
    )
    assert all(rule["tags"] == [] for rule in [*firewall, *forwards, *balancers])
    return {
        "firewall": sorted(
            (r["protocol"], r["startport"], r["endport"], r["cidrlist"]) for r in firewall
        ),
        "forwards": sorted(
            (int(r["publicport"]), int(r["privateport"]), r["virtualmachineid"]) for r in forwards
        ),
        "balancers": [
            (
                b["name"],
                b["publicport"],
                b["privateport"],
                b["algorithm"],
                [
                    vm["id"]
                    for vm in api.items(
                        "listLoadBalancerRuleInstances", id=b["id"], projectid=cluster["projectid"]
                    )
                ],
            )
            for b in balancers
        ],
    }


def test_a_cluster_on_an_isolated_network_opens_ssh_and_api_on_its_source_nat(
    api: CloudStackHttp, project: dict[str, Any], cluster_params: ClusterParams
) -> None:
    cluster = _cluster(api, cluster_params)
    nodes = [vm["id"] for vm in cluster["virtualmachines"]]
    (source_nat,) = api.items("listPublicIpAddresses", projectid=project["id"], issourcenat=True)
    assert cluster["ipaddressid"] == source_nat["id"]
    assert _rules(api, cluster) == {
        "firewall": [("tcp", 2222, 2224, "0.0.0.0/0"), ("tcp", 6443, 6443, "0.0.0.0/0")],
        "forwards": [(2222 + number, 22, vm) for number, vm in enumerate(nodes)],
        "balancers": [("api-lb", "6443", "6443", "roundrobin", nodes[:1])],
    }
    api.result("scaleKubernetesCluster", id=cluster["id"], size=3)
    nodes = [vm["id"] for vm in api.one("listKubernetesClusters", id=cluster["id"],
                                        projectid=project["id"])["virtualmachines"]]  # fmt: skip
    rules = _rules(api, cluster)
    assert rules["firewall"] == [("tcp", 2222, 2225, "0.0.0.0/0"), ("tcp", 6443, 6443, "0.0.0.0/0")]
    assert rules["forwards"] == sorted((2222 + n, 22, vm) for n, vm in enumerate(nodes))
    api.result("scaleKubernetesCluster", id=cluster["id"], size=1)
    rules = _rules(api, cluster)
    assert rules["firewall"][0] == ("tcp", 2222, 2223, "0.0.0.0/0")
    assert [port for port, _, _ in rules["forwards"]] == [2222, 2223]


def test_a_cluster_deleted_from_a_network_it_did_not_make_takes_its_rules_along(
    api: CloudStackHttp,
    project: dict[str, Any],
    network: dict[str, Any],
    cluster_params: ClusterParams,
) -> None:
    """DestroyWorker.checkForRulesToDelete: the network stays, with none of the cluster's rules."""
    cluster = _cluster(api, cluster_params, networkid=network["id"])
    assert len(_rules(api, cluster)["forwards"]) == 3
    api.done("deleteKubernetesCluster", id=cluster["id"])
    assert _rules(api, cluster) == {"firewall": [], "forwards": [], "balancers": []}
    assert api.items("listNetworks", id=network["id"], projectid=project["id"])


def test_a_cluster_on_a_tier_forwards_the_api_to_its_first_control_node(
    cs: Any,
    api: CloudStackHttp,
    catalog: Catalog,
    project: dict[str, Any],
    cluster_params: ClusterParams,
) -> None:
    """setupKubernetesClusterVpcTierRules: a tier's offering conserves no addresses, so the API
    is a port forward, not a load balancer; a tier takes no firewall rules."""
    vpc = make_vpc(cs, catalog, project)
    tier = make_tier(cs, catalog, vpc, "10.20.1.1")
    cluster = _cluster(api, cluster_params, networkid=tier["id"], size=1)
    control, worker = (vm["id"] for vm in cluster["virtualmachines"])
    assert _rules(api, cluster) == {
        "firewall": [],
        "forwards": [(2222, 22, control), (2223, 22, worker), (6443, 6443, control)],
        "balancers": [],
    }
