"""VPCs with tiers and ACLs, static NAT, security and affinity groups in the repo format:
what loads, and each problem at its line before any call to a cloud."""

from __future__ import annotations

from app.spec import DesiredState, load_desired_state
from app.spec.sources import MemorySource

FILE = "projects/shop.yaml"
TIER = "DefaultIsolatedNetworkOfferingForVpcNetworks"
# A three-tier application in a VPC; each test changes a piece of it. Lines are asserted.
SHOP = """\
zone: zone-a
vpcs:
  shop-vpc:
    offering: Default VPC offering
    cidr: 10.20.0.0/16
    tiers:
      web: {offering: TIER, cidr: 10.20.1.0/24, acl: web-acl}
      app: {offering: TIER, gateway: 10.20.2.1, netmask: 255.255.255.0, acl: default_allow}
      db: {offering: TIER, cidr: 10.20.3.0/24}
network_acls:
  web-acl:
    vpc: shop-vpc
    rules:
      - {number: 10, action: allow, traffic: ingress, protocol: tcp, ports: 443, cidrs: [0.0.0.0/0]}
      - {number: 20, action: allow, traffic: ingress, protocol: icmp, cidrs: [10.0.0.0/8]}
      - {number: 30, action: deny, traffic: egress, protocol: 47, cidrs: [0.0.0.0/0]}
security_groups:
  web-sg:
    ingress:
      - {protocol: tcp, ports: 443, cidrs: [0.0.0.0/0]}
      - {protocol: tcp, ports: 22, group: default}
affinity_groups:
  db-spread: {type: host anti-affinity}
instances:
  web-1: {offering: small, template: debian-12, networks: [web]}
  bastion: {offering: small, template: debian-12, networks: [web, app]}
  db-1: {offering: small, template: debian-12, networks: [db], affinity_groups: [db-spread]}
  db-2: {offering: small, template: debian-12, networks: [db], affinity_groups: [db-spread]}
public_ips:
  web-ip: {vpc: shop-vpc}
  bastion-ip: {vpc: shop-vpc, static_nat: bastion}
load_balancers:
  web-lb: {ip: web-ip, tier: web, public_port: 443, private_port: 8443, members: [web-1]}
port_forwards:
  - {ip: web-ip, tier: web, protocol: tcp, public_port: 2222, private_port: 22, instance: web-1}
""".replace("TIER", TIER)


def _load(text: str) -> DesiredState:
    return load_desired_state(MemorySource({FILE: text.encode()}))


def _edit(old: str, new: str, text: str = SHOP) -> str:
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
    return text.replace(old, new)


def _problems(text: str) -> list[tuple[str, int, str, str]]:
    return [
        (d.code.value, d.location.line, d.message, d.hint)
        for d in _load(text).diagnostics
        if d.location.file == FILE
    ]


def test_a_vpc_project_loads_end_to_end() -> None:
    state = _load(SHOP)
    assert state.diagnostics == ()
    shop = state.projects["shop"]
    vpc = shop.vpcs["shop-vpc"]
    assert list(vpc.tiers) == ["web", "app", "db"]
    assert [str(t.subnet) for t in vpc.tiers.values()] == [
        "10.20.1.0/24",
        "10.20.2.0/24",
        "10.20.3.0/24",
    ]
    assert [t.acl for t in vpc.tiers.values()] == ["web-acl", "default_allow", "default_deny"]
    assert vpc.tiers["web"].gateway_ip == "10.20.1.1"
    assert [r.number for r in shop.network_acls["web-acl"].rules] == [10, 20, 30]
    assert shop.network_acls["web-acl"].rules[2].protocol == 47
    assert shop.public_ips["bastion-ip"].static_nat == "bastion"
    assert shop.instances["db-1"].affinity_groups == ["db-spread"]
    assert shop.security_groups["web-sg"].ingress[1].group == "default"
    assert str(state.sources.where("shop", "network_acls", "web-acl", "rules", 1)) == (
        f"{FILE}:15:9"
    )


def test_overlapping_tiers_are_an_error_at_the_second() -> None:
    text = _edit("cidr: 10.20.3.0/24", "cidr: 10.20.0.0/22")
    assert _problems(text) == [
        (
            "SG115",
            9,
            "tier 'db' (10.20.0.0/22) overlaps tier 'web' (10.20.1.0/24) of vpc 'shop-vpc'",
            "give each tier its own part of the VPC's CIDR",
        )
    ]


def test_a_tier_outside_its_vpc_is_an_error() -> None:
    text = _edit("gateway: 10.20.2.1", "gateway: 10.99.2.1")
    assert _problems(text) == [
        (
            "SG116",
            8,
            "tier 'app' (10.99.2.0/24) is not inside vpc 'shop-vpc' (10.20.0.0/16)",
            "give it a CIDR inside 10.20.0.0/16",
        )
    ]


def test_an_acl_rule_number_used_twice_names_the_first() -> None:
    text = _edit("number: 30", "number: 10")
    assert _problems(text) == [
        (
            "SG117",
            16,
            "acl 'web-acl' uses rule number 10 twice",
            f"first used at {FILE}:14:9; a rule's number is its identity: give it a free one",
        )
    ]


def test_static_nat_and_a_port_forward_on_one_ip_name_both_lines() -> None:
    text = _edit("ip: web-ip, tier: web, protocol", "ip: bastion-ip, tier: web, protocol")
    text = _edit("instance: web-1}", "instance: bastion}", text)
    ((code, line, message, _),) = _problems(text)
    assert (code, line) == ("SG118", 35)
    assert message == (
        f"a port forward uses ip 'bastion-ip', which has static NAT to 'bastion' at {FILE}:31:43"
    )


def test_static_nat_and_a_load_balancer_on_one_ip() -> None:
    text = _edit("web-lb: {ip: web-ip", "web-lb: {ip: bastion-ip")
    text = _edit("members: [web-1]", "members: [bastion]", text)
    assert [(code, line) for code, line, _, _ in _problems(text)] == [("SG118", 33)]


def test_static_nat_to_an_instance_off_the_vpc() -> None:
    text = _edit(
        "bastion-ip: {vpc: shop-vpc, static_nat: bastion}",
        "bastion-ip: {vpc: shop-vpc, static_nat: lone}",
    )
    text = _edit(
        "instances:\n",
        "instances:\n  lone: {offering: small, template: debian-12, networks: [solo]}\n",
        text,
    )
    text = _edit(
        "vpcs:\n", "networks:\n  solo: {offering: isolated, cidr: 10.9.0.0/24}\nvpcs:\n", text
    )
    assert [(code, message) for code, _, message, _ in _problems(text)] == [
        ("SG114", "instance 'lone' is not on vpc 'shop-vpc' of ip 'bastion-ip'")
    ]


def test_unknown_names_of_every_new_kind_are_dangling_references() -> None:
    text = SHOP
    for old, new in (
        ("acl: web-acl}", "acl: web-acls}"),
        ("vpc: shop-vpc\n", "vpc: shop\n"),
        ("group: default}", "group: admin-sg}"),
        ("static_nat: bastion", "static_nat: bastian"),
        ("web-ip: {vpc: shop-vpc}", "web-ip: {vpc: shopvpc}"),
        ("ip: web-ip, tier: web, public_port", "ip: web-ip, tier: webb, public_port"),
        (
            "networks: [db], affinity_groups: [db-spread]}\n  db-2",
            "networks: [dbs], affinity_groups: [db-sprad]}\n  db-2",
        ),
    ):
        text = _edit(old, new, text)
    found = [(code, line, message) for code, line, message, _ in _problems(text)]
    assert found == [
        ("SG110", 7, "network acl 'web-acls' is not defined in project 'shop'"),
        ("SG110", 12, "vpc 'shop' is not defined in project 'shop'"),
        ("SG110", 21, "security group 'admin-sg' is not defined in project 'shop'"),
        ("SG110", 27, "network 'dbs' is not defined in project 'shop'"),
        ("SG110", 27, "affinity group 'db-sprad' is not defined in project 'shop'"),
        ("SG110", 30, "vpc 'shopvpc' is not defined in project 'shop'"),
        ("SG110", 31, "instance 'bastian' is not defined in project 'shop'"),
        ("SG110", 33, "tier 'webb' is not defined in project 'shop'"),
    ]


def test_a_rule_on_a_vpc_address_names_a_tier_of_that_vpc() -> None:
    missing = _edit("ip: web-ip, tier: web, protocol", "ip: web-ip, protocol")
    assert _problems(missing) == [
        (
            "SG119",
            35,
            "ip 'web-ip' is on vpc 'shop-vpc': the rule names no tier",
            "add 'tier:', one of: app, db, web",
        )
    ]
    off_tier = _edit("ip: web-ip, tier: web, protocol", "ip: web-ip, tier: db, protocol")
    assert [(c, message) for c, _, message, _ in _problems(off_tier)] == [
        ("SG114", "instance 'web-1' is not on tier 'db' of ip 'web-ip'")
    ]


def test_vpc_traffic_goes_through_acls_not_firewall_or_egress_rules() -> None:
    text = SHOP + (
        "firewall:\n  - {ip: web-ip, protocol: tcp, ports: 443, cidrs: [0.0.0.0/0]}\n"
        "egress:\n  - {network: db, protocol: all, cidrs: [0.0.0.0/0]}\n"
    )
    assert [(code, line) for code, line, _, _ in _problems(text)] == [
        ("SG119", 37),
        ("SG119", 39),
    ]


def test_an_acl_of_another_vpc_is_refused_on_a_tier() -> None:
    text = _edit("vpc: shop-vpc\n", "vpc: other\n")
    text = _edit("vpcs:\n", "vpcs:\n  other: {offering: o, cidr: 10.30.0.0/16}\n", text)
    assert [(code, line, message) for code, line, message, _ in _problems(text)] == [
        ("SG119", 8, "tier 'web' of vpc 'shop-vpc' names acl 'web-acl' of vpc 'other'")
    ]


def test_tiers_and_networks_share_one_set_of_names() -> None:
    text = _edit("vpcs:\n", "networks:\n  db: {offering: isolated, cidr: 10.9.0.0/24}\nvpcs:\n")
    assert [(code, line) for code, line, _, _ in _problems(text)] == [("SG111", 11)]


def test_cloudstacks_own_names_cannot_be_defined() -> None:
    text = _edit("  web-sg:\n", "  default:\n    ingress: []\n  web-sg:\n")
    assert [(code, message) for code, _, message, _ in _problems(text)] == [
        ("SG108", "'default' is CloudStack's own and cannot be defined")
    ]


def test_an_instance_may_join_a_tier_and_an_isolated_network() -> None:
    """CloudStack's deployVirtualMachine (UserVmManagerImpl) refuses no mix of VPC tiers and
    isolated networks, so neither does the repo format."""
    text = _edit("vpcs:\n", "networks:\n  solo: {offering: isolated, cidr: 10.9.0.0/24}\nvpcs:\n")
    text = _edit("networks: [web]}", "networks: [web, solo]}", text)
    assert _problems(text) == []


def test_shapes_that_say_one_thing_or_the_other() -> None:
    cases = {
        "web-ip: {vpc: shop-vpc}": "web-ip: {vpc: shop-vpc, network: db}",
        "cidr: 10.20.3.0/24}": "cidr: 10.20.3.0/24, gateway: 10.20.3.1, netmask: 255.255.255.0}",
        "gateway: 10.20.2.1, netmask: 255.255.255.0": "gateway: 10.20.2.1",
        "ports: 22, group: default}": "ports: 22, group: default, cidrs: [10.0.0.0/8]}",
        "protocol: 47": "protocol: 300",
        "protocol: icmp, cidrs": "protocol: 47, ports: 80, cidrs",
    }
    for old, new in cases.items():
        codes = [code for code, _, _, _ in _problems(_edit(old, new))]
        assert codes == ["SG108"], (new, codes)


def test_a_tcp_or_udp_security_group_rule_needs_its_ports() -> None:
    """SecurityGroupManagerImpl.authorizeSecurityGroupRule refuses tcp and udp without a port
    range (431); a rule sent as 0-65535 instead reads back so and never converged."""
    for protocol in ("tcp", "udp"):
        text = _edit("{protocol: tcp, ports: 443, cidrs", f"{{protocol: {protocol}, cidrs", SHOP)
        assert _problems(text) == [
            (
                "SG108",
                20,
                f"ingress: a {protocol} rule of a security group needs ports",
                "write e.g. ports: 443, or ports: 1-65535 for every port",
            )
        ]


def test_a_security_group_rule_may_start_at_port_0_as_cloudstack_keeps_it() -> None:
    """authorizeSecurityGroupRule takes ports from 0 and keeps 0-0 as 0-65535, which is what
    a hand-made rule of every port reads back as (and the import writes)."""
    every = _edit("{protocol: tcp, ports: 443, cidrs", "{protocol: tcp, ports: 0-65535, cidrs")
    assert _problems(every) == []
    zero = _edit("{protocol: tcp, ports: 443, cidrs", "{protocol: tcp, ports: 0, cidrs")
    assert [(code, line, hint) for code, line, _, hint in _problems(zero)] == [
        ("SG108", 20, "write 0-65535")
    ]
    acl = _edit("ingress, protocol: tcp, ports: 443,", "ingress, protocol: tcp, ports: 0-443,")
    assert [code for code, _, _, _ in _problems(acl)] == ["SG108"]  # not other rules
