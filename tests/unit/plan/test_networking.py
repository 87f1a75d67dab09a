"""VPCs, tiers, ACL lists and rules, security and affinity groups in the plan: their entries,
their order, what the cloud's catalog must offer them, and apply refusing them for now."""

from __future__ import annotations

from dataclasses import replace

import pytest

from app.apply.executor import unsupported
from app.cloudstack.model import Catalog, NetworkOffering, Template, VpcOffering, Zone
from app.plan.model import Plan
from app.policy.input import build_input
from app.spec.diagnostics import Location

from .cloud import FILE, ISOLATED, actions, catalog, change, edit, live, load, plan_of, usage

TIER = "DefaultIsolatedNetworkOfferingForVpcNetworks"
VPC_OFFERING = "Default VPC offering"
# DefaultIsolatedNetworkOfferingForVpcNetworks as CloudStack ships it: with SourceNat
VPC_TIER_SERVICES = ("Dhcp", "Dns", "Lb", "NetworkACL", "PortForwarding", "SourceNat", "StaticNat")
SHOP = """\
zone: zone-a
vpcs:
  shop:
    offering: VPC_OFFERING
    cidr: 10.20.0.0/16
    tiers:
      web: {offering: TIER, cidr: 10.20.1.0/24, acl: web-acl}
      db: {offering: TIER, gateway: 10.20.3.1, netmask: 255.255.255.0}
network_acls:
  web-acl:
    vpc: shop
    rules:
      - {number: 20, action: allow, traffic: ingress, protocol: tcp, ports: 443, cidrs: [0.0.0.0/0]}
      - {number: 10, action: deny, traffic: ingress, protocol: tcp, ports: 22, cidrs: [0.0.0.0/0]}
security_groups:
  web-sg:
    ingress:
      - {protocol: tcp, ports: 443, cidrs: [0.0.0.0/0]}
affinity_groups:
  db-spread: {type: host anti-affinity}
instances:
  web-1: {offering: small, template: debian-12, networks: [web]}
  db-1: {offering: small, template: debian-12, networks: [db], affinity_groups: [db-spread]}
public_ips:
  web-ip: {vpc: shop, static_nat: web-1}
""".replace("TIER", TIER).replace("VPC_OFFERING", VPC_OFFERING)


def _catalog() -> Catalog:
    base = catalog()
    return replace(
        base,
        zones={**base.zones, "zone-sg": Zone("id-zone-sg", "zone-sg", security_groups=True)},
        templates={
            **base.templates,
            ("debian-12", "id-zone-sg"): Template("t-debian-sg", "debian-12", "id-zone-sg", 8),
        },
        network_offerings={
            **base.network_offerings,
            TIER: NetworkOffering("no-tier", TIER, "Isolated", VPC_TIER_SERVICES, True),
        },
        vpc_offerings={VPC_OFFERING: VpcOffering("vo-1", VPC_OFFERING)},
        affinity_types=("host affinity", "host anti-affinity"),
    )


def _plan(text: str = SHOP) -> Plan:
    return plan_of(text, state=live(cloud_catalog=_catalog()))


def test_a_vpc_project_plans_each_kind_from_the_roots_out() -> None:
    plan = _plan()
    assert plan.diagnostics == ()
    assert actions(plan) == [
        ("create", "affinity_group", "db-spread"),
        ("create", "security_group", "web-sg"),
        ("create", "vpc", "shop"),
        ("create", "network_acl", "web-acl"),
        ("create", "network_acl_rule", "web-acl:10"),
        ("create", "network_acl_rule", "web-acl:20"),
        ("create", "network", "db"),
        ("create", "network", "web"),
        ("create", "instance", "db-1"),
        ("create", "instance", "web-1"),
        ("create", "public_ip", "web-ip"),
    ]


def test_a_tier_is_a_network_with_its_vpc_and_acl() -> None:
    db = change(_plan(), "network", "db")
    assert db.after == {
        "offering": TIER,
        "cidr": "10.20.3.0/24",
        "zone": "zone-a",
        "description": "",
        "vpc": "shop",
        "gateway": "10.20.3.1",
        "netmask": "255.255.255.0",
        "acl": "default_deny",
        "labels": {},
        "protected": False,
    }
    assert (db.file, db.line) == (FILE, 8)


def test_an_acl_rule_is_named_by_its_number_wherever_it_stands() -> None:
    rule = change(_plan(), "network_acl_rule", "web-acl:10")
    assert (rule.after or {})["action"] == "deny" and rule.line == 14
    moved = edit(
        "      - {number: 20",
        "      - {number: 30, action: allow, traffic: egress, protocol: all, cidrs: [0.0.0.0/0]}"
        "\n      - {number: 20",
        SHOP,
    )
    assert [c.name for c in _plan(moved).changes if c.kind == "network_acl_rule"] == [
        "web-acl:10",
        "web-acl:20",
        "web-acl:30",
    ]


def test_groups_static_nat_and_vpc_addresses_are_fields() -> None:
    plan = _plan()
    assert (change(plan, "public_ip", "web-ip").after or {})["static_nat"] == "web-1"
    assert (change(plan, "public_ip", "web-ip").after or {})["vpc"] == "shop"
    assert (change(plan, "instance", "db-1").after or {})["affinity_groups"] == ["db-spread"]
    assert "security_groups" not in (change(plan, "instance", "web-1").after or {})
    group = change(plan, "security_group", "web-sg").after or {}
    assert group["ingress"][0]["ports"] == "443" and group["egress"] == []


CATALOG_CASES = {
    "unknown VPC offering": (
        f"offering: {VPC_OFFERING}",
        "offering: Default VPC offerin",
        "SG230",
        "unknown VPC offering 'Default VPC offerin'",
        4,
        f"did you mean '{VPC_OFFERING}'?",
    ),
    "tier offering not for VPCs": (
        f"web: {{offering: {TIER}",
        f"web: {{offering: {ISOLATED}",
        "SG233",
        f"network offering '{ISOLATED}' is not for VPC tiers",
        7,
        f"use one for VPCs: {TIER}",
    ),
    "VPC offering outside a VPC": (
        "vpcs:\n",
        f"networks:\n  solo: {{offering: {TIER}, cidr: 10.9.0.0/24}}\nvpcs:\n",
        "SG233",
        f"network offering '{TIER}' is for VPC tiers only",
        3,
        "make it a tier under a VPC's 'tiers:', or use an offering for isolated networks",
    ),
    "security groups in a zone without them": (
        "networks: [web]}",
        "networks: [web], security_groups: [web-sg]}",
        "SG231",
        "zone 'zone-a' of instance 'web-1' does not use security groups",
        22,
        "zones that do: zone-sg",
    ),
    "affinity type the cloud does not list": (
        "type: host anti-affinity",
        "type: host anti-afinity",
        "SG232",
        "the cloud has no affinity group type 'host anti-afinity'",
        20,
        "did you mean 'host anti-affinity'?",
    ),
}


@pytest.mark.parametrize("case", sorted(CATALOG_CASES))
def test_what_the_catalog_does_not_offer_is_an_error_at_its_line(case: str) -> None:
    old, new, code, message, line, hint = CATALOG_CASES[case]
    (problem,) = _plan(edit(old, new, SHOP)).diagnostics
    assert (problem.code.value, problem.message, problem.hint) == (code, message, hint)
    assert (problem.location.file, problem.location.line) == (FILE, line)
    assert isinstance(problem.location, Location)


def test_security_groups_in_a_zone_that_uses_them_are_fine() -> None:
    text = edit("networks: [web]}", "networks: [web], security_groups: [web-sg]}", SHOP)
    text = edit("zone: zone-a\n", "zone: zone-sg\n", text)
    assert _plan(text).diagnostics == ()


def test_apply_makes_these_kinds() -> None:
    """Apply makes affinity groups, VPCs, ACL lists and rules, security groups and the
    instances that name them (issue 18)."""
    assert unsupported(_plan().changes) == []
    text = edit(
        "networks: [db], affinity_groups", "security_groups: [web-sg], affinity_groups", SHOP
    )
    text = edit("zone: zone-a\n", "zone: zone-sg\n", text)
    assert unsupported(_plan(text).changes) == []


def test_an_instance_without_networks_needs_a_zone_with_security_groups() -> None:
    no_networks = edit("networks: [db], affinity_groups", "affinity_groups", SHOP)
    (problem,) = _plan(no_networks).diagnostics
    assert (problem.code.value, problem.location.line) == ("SG231", 23)
    assert "instance 'db-1' names no network" in problem.message


def test_a_group_rule_is_one_cidr_or_peer_in_any_order() -> None:
    """CloudStack keeps one rule per CIDR or peer group: the plan compares them so."""
    rule = "{protocol: tcp, ports: 443, cidrs: [0.0.0.0/0]}"
    two = edit(rule, rule.replace("[0.0.0.0/0]", "[10.0.0.0/8, 0.0.0.0/0]"), SHOP)
    ingress = (change(_plan(two), "security_group", "web-sg").after or {})["ingress"]
    assert [(rule["ports"], rule["cidrs"], rule["group"]) for rule in ingress] == [
        ("443", ["0.0.0.0/0"], None),
        ("443", ["10.0.0.0/8"], None),
    ]


def test_apply_makes_the_new_fields_it_sends() -> None:
    """An address's static NAT, a VM's affinity groups and tier, a tier's VPC: made with the
    object, so none of these is refused any more (they were while apply could not send them)."""
    refused = {(c.kind, c.name) for c in unsupported(_plan().changes)}
    for made in (("public_ip", "web-ip"), ("instance", "db-1"), ("network", "web")):
        assert made not in refused


def test_the_policy_input_carries_the_new_kinds() -> None:
    desired = load({FILE: SHOP})
    document = build_input(_plan(), desired)
    resources = document["projects"]["app"]["resources"]
    assert sorted(resources) == [
        "affinity_group",
        "instance",
        "network",
        "network_acl",
        "network_acl_rule",
        "public_ip",
        "security_group",
        "vpc",
    ]
    assert resources["network_acl_rule"]["web-acl:10"]["action"] == "deny"
    assert resources["network"]["web"]["vpc"] == "shop"
    assert {change["kind"] for change in document["changes"]} >= {"vpc", "network_acl_rule"}


def test_a_tier_written_as_a_block_is_placed_at_its_name() -> None:
    text = edit(
        "      db: {offering: TIER, gateway: 10.20.3.1, netmask: 255.255.255.0}\n".replace(
            "TIER", TIER
        ),
        f"      db:\n        offering: {TIER}\n        cidr: 10.20.3.0/24\n",
        SHOP,
    )
    db = change(_plan(text), "network", "db")
    assert (db.file, db.line) == (FILE, 8)


def test_tiers_count_as_networks_without_a_source_nat_address_each() -> None:
    """A VPC's source NAT address is the VPC's (VpcManagerImpl), not one per tier; it counts
    against public_ips (IpAddressManagerImpl counts an address of a VPC), and the VPC against
    the vpcs limit."""
    roomy = usage(networks=(0, 10), public_ips=(0, 10), vpcs=(0, 2))
    state = replace(live(usages={"app": roomy}), catalogs={"default": _catalog()})
    plan = plan_of(SHOP, state=state)
    counted = {line.resource: line.change for line in plan.quotas}
    assert counted["networks"] == 2
    assert counted["public_ips"] == 2  # the declared address and the VPC's, none for the tiers
    assert counted["vpcs"] == 1
