"""Issue 18's kinds read in words in every renderer: a reviewer sees what a VPC, a tier, an ACL
list and rule, an affinity group and an address on a VPC are, not an empty cell or "None"."""

from __future__ import annotations

from app.report.plan_text import describe

TIER = {"cidr": "10.40.1.0/24", "offering": "VpcTiers", "vpc": "checkout", "acl": "web-acl"}


def test_a_vpc_and_its_tier_say_their_subnets_and_the_tier_its_vpc_and_acl() -> None:
    vpc = {"cidr": "10.40.0.0/16", "offering": "Default VPC offering", "zone": "zone-a"}
    assert describe("vpc", vpc) == "10.40.0.0/16 · Default VPC offering"
    assert describe("network", TIER) == "10.40.1.0/24 · VpcTiers · tier of checkout, ACL web-acl"
    isolated = {"cidr": "10.1.0.0/24", "offering": "Isolated", "vpc": None}
    assert describe("network", isolated) == "10.1.0.0/24 · Isolated"


def test_an_acl_list_names_its_vpc_and_a_rule_what_it_lets_in_or_out() -> None:
    assert describe("network_acl", {"vpc": "checkout", "description": ""}) == "of VPC checkout"
    allow = {"action": "allow", "traffic": "ingress", "protocol": "tcp", "ports": "22",
             "cidrs": ["192.0.2.0/24"], "icmp_type": None, "icmp_code": None}  # fmt: skip
    assert describe("network_acl_rule", allow) == "allow tcp 22 in from 192.0.2.0/24"
    deny = allow | {"action": "deny", "traffic": "egress", "protocol": "all", "ports": None}
    assert describe("network_acl_rule", deny) == "deny all all ports out to 192.0.2.0/24"


def test_an_address_on_a_vpc_names_it_and_its_static_nat() -> None:
    address = {"vpc": "checkout", "network": None, "static_nat": "bastion"}
    assert describe("public_ip", address) == "on VPC checkout · static NAT → bastion"
    plain = {"network": "app-net", "static_nat": None}
    assert describe("public_ip", plain) == "on app-net"


def test_an_affinity_group_says_its_type() -> None:
    assert describe("affinity_group", {"type": "host anti-affinity"}) == "host anti-affinity"
