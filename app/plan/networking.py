"""Desired VPCs, tiers, ACL lists and rules, security and affinity groups, as plan entries.

A tier is planned as a ``network`` (CloudStack makes it with createNetwork, counts it as a
network, and instances join it like any network) whose fields add its ``vpc`` and ``acl``;
an ACL rule is named ``<list>:<number>``, so that its number, not its place, is its identity.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from app.cloudstack.sg_reading import rule_order
from app.spec.groups import SecurityGroupRule
from app.spec.model import Item, Project
from app.spec.traffic import EgressRule, FirewallRule
from app.spec.vpc import AclRule

Entry = tuple[str, str, Item, tuple[str | int, ...], dict[str, Any]]


def traffic_fields(rule: FirewallRule | EgressRule | AclRule | SecurityGroupRule) -> dict[str, Any]:
    icmp = rule.protocol == "icmp"
    return {
        "protocol": rule.protocol,
        "ports": str(rule.ports) if rule.ports else None,
        "icmp_type": (-1 if rule.icmp_type is None else rule.icmp_type) if icmp else None,
        "icmp_code": (-1 if rule.icmp_code is None else rule.icmp_code) if icmp else None,
        "cidrs": sorted(rule.cidrs or []),
    }


def _group_rules(rules: list[SecurityGroupRule]) -> list[dict[str, Any]]:
    """One rule per CIDR or peer group, as CloudStack keeps them (an authorize with three
    CIDRs makes three rules), so each changes on its own; sorted and without twins, so that
    the file's order changes nothing."""
    found: dict[str, dict[str, Any]] = {}
    for rule in rules:
        fields = traffic_fields(rule)
        peers: list[tuple[list[str], str | None]] = [([], rule.group)]
        if rule.cidrs:
            peers = [([cidr], None) for cidr in fields["cidrs"]]
        for cidrs, group in peers:
            atomic = {**fields, "cidrs": cidrs, "group": group}
            found[rule_order(atomic)] = atomic
    return [found[key] for key in sorted(found)]


def _vpcs(project: Project) -> Iterator[Entry]:
    for name, vpc in project.vpcs.items():
        zone = vpc.zone or project.zone
        fields = {"offering": vpc.offering, "cidr": vpc.cidr, "zone": zone}
        yield "vpc", name, vpc, ("vpcs", name), {**fields, "description": vpc.description}
        for tier_name, tier in vpc.tiers.items():
            subnet = tier.subnet
            yield (
                "network",
                tier_name,
                tier,
                ("vpcs", name, "tiers", tier_name),
                {
                    "offering": tier.offering,
                    "cidr": str(subnet),
                    "zone": zone,
                    "description": tier.description,
                    "vpc": name,
                    "gateway": tier.gateway_ip,
                    "netmask": str(subnet.netmask),
                    "acl": tier.acl,
                },
            )


def _acls(project: Project) -> Iterator[Entry]:
    for name, acl in project.network_acls.items():
        fields = {"vpc": acl.vpc, "description": acl.description}
        yield "network_acl", name, acl, ("network_acls", name), fields
        for i, rule in enumerate(acl.rules):
            yield (
                "network_acl_rule",
                f"{name}:{rule.number}",
                rule,
                ("network_acls", name, "rules", i),
                {
                    "acl": name,
                    "number": rule.number,
                    "action": rule.action,
                    "traffic": rule.traffic,
                    **traffic_fields(rule),
                },
            )


def network_entries(project: Project) -> Iterator[Entry]:
    """(kind, name, item, path in the project, fields) of every entry of these kinds."""
    yield from _vpcs(project)
    yield from _acls(project)
    for name, group in project.security_groups.items():
        yield (
            "security_group",
            name,
            group,
            ("security_groups", name),
            {
                "description": group.description,
                "ingress": _group_rules(group.ingress),
                "egress": _group_rules(group.egress),
            },
        )
    for name, affinity in project.affinity_groups.items():
        fields = {"type": affinity.type, "description": affinity.description}
        yield "affinity_group", name, affinity, ("affinity_groups", name), fields
