"""Check references between the resources of a project: every name used must be defined."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from app.spec.diagnostics import Code, Diagnostic, did_you_mean, error
from app.spec.model import Project, singular
from app.spec.state import SourceMap
from app.spec.yamltree import YamlPath


@dataclass(frozen=True, slots=True)
class Reference:
    path: tuple[
        str | int, ...
    ]  # where the name is written, e.g. ("instances", "web-1", "networks", 0)
    target: str  # the section the name must be defined in
    name: str


def references(project: Project) -> Iterator[Reference]:
    """Every name one resource uses to point at another, in file order."""
    for name, instance in project.instances.items():
        for i, network in enumerate(instance.networks):
            yield Reference(("instances", name, "networks", i), "networks", network)
        if instance.ssh_key:
            yield Reference(("instances", name, "ssh_key"), "ssh_keys", instance.ssh_key)
    for name, volume in project.volumes.items():
        if volume.attach_to:
            yield Reference(("volumes", name, "attach_to"), "instances", volume.attach_to)
    for name, address in project.public_ips.items():
        yield Reference(("public_ips", name, "network"), "networks", address.network)
    for i, rule in enumerate(project.firewall):
        yield Reference(("firewall", i, "ip"), "public_ips", rule.ip)
    for i, egress in enumerate(project.egress):
        yield Reference(("egress", i, "network"), "networks", egress.network)
    for i, forward in enumerate(project.port_forwards):
        yield Reference(("port_forwards", i, "ip"), "public_ips", forward.ip)
        yield Reference(("port_forwards", i, "instance"), "instances", forward.instance)
    for name, balancer in project.load_balancers.items():
        yield Reference(("load_balancers", name, "ip"), "public_ips", balancer.ip)
        for i, member in enumerate(balancer.members):
            yield Reference(("load_balancers", name, "members", i), "instances", member)


def check_references(
    project: Project, dropped: set[YamlPath], sources: SourceMap
) -> list[Diagnostic]:
    """Dangling references, and traffic sent to an instance that is not on the address's network.

    Names of entries that failed validation (``dropped``) count as defined: their own
    diagnostic already says what is wrong, and a second one here would only be noise.
    """
    found: list[Diagnostic] = []
    for ref in references(project):
        defined = getattr(project, ref.target)
        if ref.name in defined or (ref.target, ref.name) in dropped:
            continue
        kind = singular(ref.target)
        hint = did_you_mean(ref.name, defined) or f"define it under '{ref.target}:'"
        found.append(
            error(
                Code.DANGLING_REFERENCE,
                f"{kind} '{ref.name}' is not defined in project '{project.name}'",
                sources.where(project.name, *ref.path),
                hint,
            )
        )
    found.extend(_network_mismatches(project, sources))
    return found


def _network_mismatches(project: Project, sources: SourceMap) -> Iterator[Diagnostic]:
    targets: list[tuple[tuple[str | int, ...], str, str]] = [
        (("port_forwards", i, "instance"), forward.ip, forward.instance)
        for i, forward in enumerate(project.port_forwards)
    ]
    for name, balancer in project.load_balancers.items():
        targets += [
            (("load_balancers", name, "members", i), balancer.ip, member)
            for i, member in enumerate(balancer.members)
        ]
    for path, ip_name, instance_name in targets:
        address = project.public_ips.get(ip_name)
        instance = project.instances.get(instance_name)
        if address and instance and address.network not in instance.networks:
            yield error(
                Code.NETWORK_MISMATCH,
                f"instance '{instance_name}' is not on network '{address.network}'"
                f" of ip '{ip_name}'",
                sources.where(project.name, *path),
                f"add '{address.network}' to the networks of '{instance_name}'",
            )
