"""Check references between the resources of a project: every name used must be defined."""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass

from app.spec.diagnostics import Code, Diagnostic, did_you_mean, error
from app.spec.groups import DEFAULT_SECURITY_GROUP
from app.spec.model import Project, singular
from app.spec.state import SourceMap
from app.spec.vpc import DEFAULT_ACLS
from app.spec.yamltree import YamlPath

Path = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class Reference:
    path: Path  # where the name is written, e.g. ("instances", "web-1", "networks", 0)
    target: str  # the section the name must be defined in ("tiers": any VPC's tiers)
    name: str


def tier_names(project: Project) -> dict[str, str]:
    """Tier → its VPC. Tiers are networks of the project: they share the networks' names."""
    found: dict[str, str] = {}
    for vpc_name, vpc in project.vpcs.items():
        for tier in vpc.tiers:
            found.setdefault(tier, vpc_name)
    return found


def _names(path: Path, target: str, names: list[str]) -> Iterator[Reference]:
    for i, name in enumerate(names):
        yield Reference((*path, i), target, name)


def _traffic_references(project: Project) -> Iterator[Reference]:
    for i, rule in enumerate(project.firewall):
        yield Reference(("firewall", i, "ip"), "public_ips", rule.ip)
    for i, egress in enumerate(project.egress):
        yield Reference(("egress", i, "network"), "networks", egress.network)
    for i, forward in enumerate(project.port_forwards):
        yield Reference(("port_forwards", i, "ip"), "public_ips", forward.ip)
        yield Reference(("port_forwards", i, "instance"), "instances", forward.instance)
        if forward.tier:
            yield Reference(("port_forwards", i, "tier"), "tiers", forward.tier)
    for name, balancer in project.load_balancers.items():
        yield Reference(("load_balancers", name, "ip"), "public_ips", balancer.ip)
        yield from _names(("load_balancers", name, "members"), "instances", balancer.members)
        if balancer.tier:
            yield Reference(("load_balancers", name, "tier"), "tiers", balancer.tier)


def _network_references(project: Project) -> Iterator[Reference]:
    for name, address in project.public_ips.items():
        if address.network:
            yield Reference(("public_ips", name, "network"), "networks", address.network)
        if address.vpc:
            yield Reference(("public_ips", name, "vpc"), "vpcs", address.vpc)
        if address.static_nat:
            yield Reference(("public_ips", name, "static_nat"), "instances", address.static_nat)
    for vpc_name, vpc in project.vpcs.items():
        for tier_name, tier in vpc.tiers.items():
            acl_at = ("vpcs", vpc_name, "tiers", tier_name, "acl")
            yield Reference(acl_at, "network_acls", tier.acl)
    for name, acl in project.network_acls.items():
        yield Reference(("network_acls", name, "vpc"), "vpcs", acl.vpc)
    for name, group in project.security_groups.items():
        for direction in ("ingress", "egress"):
            for i, rule in enumerate(getattr(group, direction)):
                if rule.group:
                    peer_at = ("security_groups", name, direction, i, "group")
                    yield Reference(peer_at, "security_groups", rule.group)


def references(project: Project) -> Iterator[Reference]:
    """Every name one resource uses to point at another, in file order."""
    for name, instance in project.instances.items():
        yield from _names(("instances", name, "networks"), "networks", instance.networks)
        if instance.ssh_key:
            yield Reference(("instances", name, "ssh_key"), "ssh_keys", instance.ssh_key)
        path = ("instances", name)
        yield from _names((*path, "security_groups"), "security_groups", instance.security_groups)
        yield from _names((*path, "affinity_groups"), "affinity_groups", instance.affinity_groups)
    for name, cluster in project.kubernetes_clusters.items():
        yield Reference(("kubernetes_clusters", name, "network"), "networks", cluster.network)
        if cluster.ssh_key:
            yield Reference(("kubernetes_clusters", name, "ssh_key"), "ssh_keys", cluster.ssh_key)
    for name, volume in project.volumes.items():
        if volume.attach_to:
            yield Reference(("volumes", name, "attach_to"), "instances", volume.attach_to)
    yield from _network_references(project)
    yield from _traffic_references(project)


def _defined(project: Project, target: str) -> Collection[str]:
    if target == "tiers":
        return tier_names(project)
    if target == "networks":  # a tier is a network: instances join it the same way
        return {*project.networks, *tier_names(project)}
    if target == "network_acls":
        return {*project.network_acls, *DEFAULT_ACLS}
    if target == "security_groups":
        return {*project.security_groups, DEFAULT_SECURITY_GROUP}
    names: Collection[str] = getattr(project, target)
    return names


def _set_aside(target: str, name: str, dropped: set[YamlPath]) -> bool:
    """Whether the name may be an entry that failed validation (its own error says why)."""
    if target in ("networks", "tiers") and any(path[0] == "vpcs" for path in dropped):
        return True  # the tiers of a VPC set aside are unknown
    section = "networks" if target == "tiers" else target
    return (section, name) in dropped


def check_references(
    project: Project, dropped: set[YamlPath], sources: SourceMap
) -> list[Diagnostic]:
    """Dangling references: names used that the project does not define.

    Names of entries that failed validation (``dropped``) count as defined: their own
    diagnostic already says what is wrong, and a second one here would only be noise.
    """
    found: list[Diagnostic] = []
    for ref in references(project):
        defined = _defined(project, ref.target)
        if ref.name in defined or _set_aside(ref.target, ref.name, dropped):
            continue
        kind = singular(ref.target)
        where = "a VPC's 'tiers:'" if ref.target == "tiers" else f"'{ref.target}:'"
        hint = did_you_mean(ref.name, defined) or f"define it under {where}"
        found.append(
            error(
                Code.DANGLING_REFERENCE,
                f"{kind} '{ref.name}' is not defined in project '{project.name}'",
                sources.where(project.name, *ref.path),
                hint,
            )
        )
    return found
