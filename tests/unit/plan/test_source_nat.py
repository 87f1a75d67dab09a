"""A declared public IP never becomes a network's source NAT unnoticed, nor is released as one."""

from __future__ import annotations

from app.plan.model import Plan
from app.spec.diagnostics import Severity

from .cloud import BASE, ISOLATED, base_objects, network, plan_of, public_ip, swap

NET_AND_IP = f"""\
zone: zone-a
networks:
  app-net: {{offering: {ISOLATED}, cidr: 10.1.0.0/24}}
public_ips:
  web-ip: {{network: app-net}}
"""
NET_ONLY = NET_AND_IP.split("public_ips:")[0]


def _source_nat(plan: Plan) -> list[tuple[str, str, int]]:
    return [
        (d.severity.value, d.code.value, d.location.line)
        for d in plan.diagnostics
        if d.code.value in ("SG213", "SG214")
    ]


def test_an_address_made_after_the_networks_first_instance_is_not_its_source_nat() -> None:
    assert _source_nat(plan_of(BASE, [])) == []


def test_an_address_on_a_new_network_without_instances_would_become_its_source_nat() -> None:
    plan = plan_of(NET_AND_IP, [])
    assert _source_nat(plan) == [(Severity.WARNING.value, "SG213", 5)]
    (found,) = [d for d in plan.diagnostics if d.code.value == "SG213"]
    assert "source NAT" in found.message and "app-net" in found.message


def test_an_address_on_an_allocated_network_without_new_instances_warns() -> None:
    assert _source_nat(plan_of(NET_AND_IP, [network(state="Allocated")])) == [
        ("warning", "SG213", 5)
    ]


def test_an_address_on_an_implemented_network_has_its_source_nat_already() -> None:
    assert _source_nat(plan_of(NET_AND_IP, [network()])) == []


def test_releasing_a_source_nat_address_of_a_network_in_use_is_an_error() -> None:
    plan = plan_of(NET_ONLY, [network(), public_ip(source_nat=True)])
    assert _source_nat(plan) == [("error", "SG214", 1)]
    (found,) = [d for d in plan.diagnostics if d.code.value == "SG214"]
    assert "203.0.113.7" in found.message and "cannot be released" in found.message


def test_a_source_nat_address_of_an_allocated_network_may_go() -> None:
    plan = plan_of(NET_ONLY, [network(state="Allocated"), public_ip(source_nat=True)])
    assert _source_nat(plan) == []


def test_an_ordinary_address_may_go() -> None:
    assert _source_nat(plan_of(NET_ONLY, [network(), public_ip(source_nat=False)])) == []


def test_replacing_a_source_nat_address_is_an_error_too() -> None:
    objects = swap(base_objects(), public_ip(network="old-net", source_nat=True))
    assert ("error", "SG214", 10) in _source_nat(plan_of(BASE, objects))


def test_a_source_nat_address_may_go_with_its_network() -> None:
    # NetworkOrchestrator.cleanupNetworkResources releases every address of a deleted network.
    plan = plan_of("zone: zone-a\n", [network(), public_ip(source_nat=True)])
    assert {(c.kind, c.action.value) for c in plan.changes} == {
        ("network", "delete"),
        ("public_ip", "delete"),
    }
    assert _source_nat(plan) == []


def test_a_source_nat_address_may_go_with_its_replaced_network() -> None:
    plan = plan_of(
        NET_AND_IP.replace("10.1.0.0/24", "10.9.0.0/24"), [network(), public_ip(source_nat=True)]
    )
    assert ("public_ip", "replace") in {(c.kind, c.action.value) for c in plan.changes}
    # The old address goes with the old network; the new one, on a network no instance
    # uses yet, would become the new network's source NAT.
    assert _source_nat(plan) == [("warning", "SG213", 5)]


def test_a_clusters_nodes_made_before_the_address_take_the_source_nat_themselves() -> None:
    """Apply makes a cluster before public IPs: its first node implements the network."""
    cluster = (
        "kubernetes_clusters:\n  apps: {version: v1.28.4, size: 1, offering: medium, "
        "network: app-net}\n"
    )
    assert _source_nat(plan_of(NET_AND_IP + cluster, [network(state="Allocated")])) == []
