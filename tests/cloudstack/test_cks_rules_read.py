"""The network rules CKS makes for a cluster (its SSH and API firewall rules, the forwards to
its nodes, the "api-lb" balancer; KubernetesClusterResourceModifierActionWorker) carry no tags:
read through the real client from the sandbox, they are told apart as CKS's, neither offered
for adoption nor written by the import (skipped as made by the cluster, no failure of it),
while a rule someone made on the same address is read and imported as ever."""

from __future__ import annotations

from app.cloudstack.catalog import read_catalog
from app.cloudstack.client import CloudStackClient
from app.cloudstack.inventory import read_project
from app.imports.cloud import read_rows
from app.imports.kinds import map_project
from tests.cloudstack.builders import Builder

REPO = "git@example.com:acme/infra"
MADE = "made by Kubernetes cluster apps"


def test_the_rules_cks_made_are_not_adoptable_nor_imported_and_a_users_beside_them_are(
    client: CloudStackClient,
) -> None:
    build = Builder(client, REPO, "payments")
    made = build.cluster("apps", build.network("k8s-net"), controlnodes=1, size=2)
    source_nat = str(made["ipaddressid"])
    own = client.run(
        "createFirewallRule", ipaddressid=source_nat, protocol="tcp", startport=443,
        cidrlist="0.0.0.0/0",
    )  # fmt: skip
    catalog = read_catalog(client)
    ref = catalog.projects["payments"]
    live = read_project(client, REPO, ref)
    assert sorted((o.kind, o.id) for o in live.untagged) == [
        ("firewall", own["id"]),
        ("public_ip", source_nat),
    ]
    imported = map_project(read_rows(client, [ref])[ref.id], catalog, {"project": "payments"})
    assert [rule["ports"] for rule in imported.sections["firewall"]] == [443]
    assert "port_forwards" not in imported.sections and "load_balancers" not in imported.sections
    assert list(imported.sections["kubernetes_clusters"]) == ["apps"]
    skipped = sorted((s.kind, s.reason, s.owned) for s in imported.skipped)
    assert skipped == [
        *[("firewall", MADE, True)] * 2,  # SSH 2222-2224 and API 6443
        ("load_balancer", MADE, True),
        *[("port_forward", MADE, True)] * 3,  # 2222-2224 → 22, one per node
    ]


def test_the_address_cks_took_on_a_tier_is_its_own_too(client: CloudStackClient) -> None:
    """acquireVpcTierKubernetesPublicIp: the tier's cluster holds an address of the VPC,
    with the API and SSH forwards on it; the VPC's source NAT address stays untagged."""
    build = Builder(client, REPO, "payments")
    vpc = client.run(
        "createVPC", name="shop", cidr="10.20.0.0/16", zoneid=build.zone_id,
        vpcofferingid=build.catalog_id("listVPCOfferings", "Default VPC offering"),
        projectid=build.project_id,
    )  # fmt: skip
    tier = client.request(
        "createNetwork", name="k8s", displaytext="k8s", zoneid=build.zone_id,
        networkofferingid=build.catalog_id(
            "listNetworkOfferings", "DefaultIsolatedNetworkOfferingForVpcNetworks"
        ),
        vpcid=vpc["id"], gateway="10.20.1.1", netmask="255.255.255.0", projectid=build.project_id,
    )["network"]  # fmt: skip
    made = build.cluster("apps", str(tier["id"]))
    catalog = read_catalog(client)
    ref = catalog.projects["payments"]
    live = read_project(client, REPO, ref)
    addresses = [o.id for o in live.untagged if o.kind == "public_ip"]
    (source_nat,) = client.list("listPublicIpAddresses", vpcid=vpc["id"], issourcenat=True,
                                projectid=build.project_id)  # fmt: skip
    assert addresses == [source_nat["id"]]  # the VPC's, not the cluster's
    assert [o.kind for o in live.untagged if o.kind not in ("vpc", "network")] == ["public_ip"]
    imported = map_project(read_rows(client, [ref])[ref.id], catalog, {"project": "payments"})
    skipped = sorted((s.kind, s.id) for s in imported.skipped if s.owned)
    assert ("public_ip", made["ipaddressid"]) in skipped
    assert [kind for kind, _ in skipped] == [*["port_forward"] * 3, "public_ip"]  # API and 2 SSH
