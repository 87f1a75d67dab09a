"""What CloudStack refuses of a VPC, found before any call: tiers outside their VPC or
overlapping each other (VpcManagerImpl.createVpcGuestNetwork), an ACL list of another VPC,
an ACL rule number used twice in a list, and names CloudStack keeps for itself."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator

from app.spec.diagnostics import Code, Diagnostic, error
from app.spec.groups import DEFAULT_SECURITY_GROUP
from app.spec.model import Project
from app.spec.state import SourceMap
from app.spec.vpc import DEFAULT_ACLS, Tier

Subnet = ipaddress.IPv4Network | ipaddress.IPv6Network


def _inside(inner: Subnet, outer: Subnet) -> bool:
    return inner.version == outer.version and inner.subnet_of(outer)  # type: ignore[arg-type]


def _subnet_field(tier: Tier) -> str:
    return "cidr" if tier.cidr is not None else "gateway"


def _tiers(project: Project, sources: SourceMap) -> Iterator[Diagnostic]:
    seen: dict[str, tuple[str, ...]] = {name: ("networks", name) for name in project.networks}
    for vpc_name, vpc in project.vpcs.items():
        outer = ipaddress.ip_network(vpc.cidr)
        placed: list[tuple[str, Subnet]] = []
        for name, tier in vpc.tiers.items():
            path = ("vpcs", vpc_name, "tiers", name)
            where = sources.where(project.name, *path, _subnet_field(tier))
            subnet = tier.subnet
            if name in seen:
                first = sources.where(project.name, *seen[name], key=True)
                yield error(
                    Code.DUPLICATE_NAME,
                    f"network '{name}' is defined twice in project '{project.name}'",
                    sources.where(project.name, *path, key=True),
                    f"first defined at {first}; tiers and networks share one set of names",
                )
            seen.setdefault(name, path)
            if not _inside(subnet, outer):
                yield error(
                    Code.TIER_OUTSIDE_VPC,
                    f"tier '{name}' ({subnet}) is not inside vpc '{vpc_name}' ({outer})",
                    where,
                    f"give it a CIDR inside {outer}",
                )
                continue
            for other, taken in placed:
                if subnet.overlaps(taken):
                    yield error(
                        Code.TIER_OVERLAP,
                        f"tier '{name}' ({subnet}) overlaps tier '{other}' ({taken})"
                        f" of vpc '{vpc_name}'",
                        where,
                        "give each tier its own part of the VPC's CIDR",
                    )
                    break
            placed.append((name, subnet))


def _acls(project: Project, sources: SourceMap) -> Iterator[Diagnostic]:
    for vpc_name, vpc in project.vpcs.items():
        for name, tier in vpc.tiers.items():
            acl = project.network_acls.get(tier.acl)
            if acl is not None and acl.vpc != vpc_name:
                yield error(
                    Code.VPC_MISMATCH,
                    f"tier '{name}' of vpc '{vpc_name}' names acl '{tier.acl}' of vpc '{acl.vpc}'",
                    sources.where(project.name, "vpcs", vpc_name, "tiers", name, "acl"),
                    "a tier takes an ACL list of its own VPC, or default_allow/default_deny",
                )
    for name, acl in project.network_acls.items():
        numbers: dict[int, int] = {}
        for i, rule in enumerate(acl.rules):
            path = ("network_acls", name, "rules")
            if rule.number in numbers:
                first = sources.where(project.name, *path, numbers[rule.number])
                yield error(
                    Code.DUPLICATE_RULE_NUMBER,
                    f"acl '{name}' uses rule number {rule.number} twice",
                    sources.where(project.name, *path, i, "number"),
                    f"first used at {first}; a rule's number is its identity: give it a free one",
                )
            numbers.setdefault(rule.number, i)


def _reserved(project: Project, sources: SourceMap) -> Iterator[Diagnostic]:
    taken = [("network_acls", name) for name in DEFAULT_ACLS if name in project.network_acls]
    if DEFAULT_SECURITY_GROUP in project.security_groups:
        taken.append(("security_groups", DEFAULT_SECURITY_GROUP))
    for section, name in taken:
        yield error(
            Code.BAD_VALUE,
            f"'{name}' is CloudStack's own and cannot be defined",
            sources.where(project.name, section, name),
            "name it without defining it, or give yours another name",
        )


def check_vpcs(project: Project, sources: SourceMap) -> list[Diagnostic]:
    return [*_tiers(project, sources), *_acls(project, sources), *_reserved(project, sources)]
