"""Where an address's traffic may go: to instances on its network or on the tier a rule names
(an address on a VPC serves a tier per rule), to one instance alone with static NAT, and
through network ACLs rather than firewall and egress rules inside a VPC."""

from __future__ import annotations

from collections.abc import Iterator

from app.spec.diagnostics import Code, Diagnostic, Location, error
from app.spec.model import Project, PublicIp
from app.spec.references import Path, tier_names
from app.spec.state import SourceMap


def _served(project: Project) -> Iterator[tuple[Path, str, str, str | None]]:
    """(path of the instance named, ip, instance, tier) for each port forward and LB member."""
    for i, forward in enumerate(project.port_forwards):
        yield ("port_forwards", i, "instance"), forward.ip, forward.instance, forward.tier
    for name, balancer in project.load_balancers.items():
        for i, member in enumerate(balancer.members):
            yield ("load_balancers", name, "members", i), balancer.ip, member, balancer.tier


def _vpc_tier(
    project: Project, address: PublicIp, ip: str, tier: str | None, rule: Location
) -> Diagnostic | None:
    """A rule on a VPC address names one of that VPC's tiers; elsewhere it names none."""
    tiers = tier_names(project)
    if address.vpc is None:
        if tier is None:
            return None
        why, hint = f"ip '{ip}' is on network '{address.network}', not on a VPC", "remove 'tier:'"
    elif tier is None:
        mine = sorted(t for t, vpc in tiers.items() if vpc == address.vpc)
        why = f"ip '{ip}' is on vpc '{address.vpc}': the rule names no tier"
        hint = f"add 'tier:', one of: {', '.join(mine)}" if mine else "add 'tier:'"
    elif tier in tiers and tiers[tier] != address.vpc:
        why = f"tier '{tier}' is not in vpc '{address.vpc}' of ip '{ip}'"
        hint = f"name a tier of '{address.vpc}'"
    else:
        return None
    return error(Code.VPC_MISMATCH, why, rule, hint)


def _reach(project: Project, sources: SourceMap) -> Iterator[Diagnostic]:
    checked: set[Path] = set()
    for path, ip, instance_name, tier in _served(project):
        address, instance = project.public_ips.get(ip), project.instances.get(instance_name)
        if address is None or address.vpc not in (None, *project.vpcs):
            continue  # an unknown address or VPC: its own diagnostic says so
        if address.vpc and tier is not None and tier not in tier_names(project):
            continue
        rule = path[:2]
        if rule not in checked:
            checked.add(rule)
            wrong = _vpc_tier(project, address, ip, tier, sources.where(project.name, *rule))
            if wrong is not None:
                yield wrong
                continue
        network = tier if address.vpc else address.network
        if instance and network and network not in instance.networks:
            yield error(
                Code.NETWORK_MISMATCH,
                f"instance '{instance_name}' is not on {'tier' if address.vpc else 'network'}"
                f" '{network}' of ip '{ip}'",
                sources.where(project.name, *path),
                f"add '{network}' to the networks of '{instance_name}'",
            )


def _static_nat(project: Project, sources: SourceMap) -> Iterator[Diagnostic]:
    """CloudStack enables static NAT only on an address with no other rule, and the other way
    round (RulesManagerImpl); its instance must be on the address's network or VPC."""
    tiers = tier_names(project)
    users = [
        (("port_forwards", i), "a port forward", forward.ip)
        for i, forward in enumerate(project.port_forwards)
    ] + [
        (("load_balancers", name), f"load balancer '{name}'", balancer.ip)
        for name, balancer in project.load_balancers.items()
    ]
    for ip, address in project.public_ips.items():
        target = address.static_nat
        if target is None:
            continue
        nat = sources.where(project.name, "public_ips", ip, "static_nat")
        for path, what, used in users:
            if used == ip:
                yield error(
                    Code.STATIC_NAT_EXCLUSIVE,
                    f"{what} uses ip '{ip}', which has static NAT to '{target}' at {nat}",
                    sources.where(project.name, *path),
                    "an address with static NAT takes no port forward or load balancer: "
                    "use another address, or remove 'static_nat:'",
                )
        instance = project.instances.get(target)
        if address.vpc and address.vpc not in project.vpcs:
            continue  # its own diagnostic says why; its tiers are unknown
        homes = [address.network] if address.network else []
        homes += [t for t, vpc in tiers.items() if vpc == address.vpc]
        if instance and not set(instance.networks) & set(homes):
            where = f"network '{address.network}'" if address.network else f"vpc '{address.vpc}'"
            yield error(
                Code.NETWORK_MISMATCH,
                f"instance '{target}' is not on {where} of ip '{ip}'",
                nat,
                "static NAT reaches an instance on the address's network or one of its tiers",
            )


def _acl_only(project: Project, sources: SourceMap) -> Iterator[Diagnostic]:
    """A VPC filters with network ACLs: no firewall rules on its addresses, no egress rules
    on its tiers, and an address joins the VPC rather than one tier."""
    tiers = tier_names(project)
    hint = "write the rule in the tier's network ACL list instead"
    for i, rule in enumerate(project.firewall):
        address = project.public_ips.get(rule.ip)
        if address is not None and address.vpc:
            yield error(
                Code.VPC_MISMATCH,
                f"ip '{rule.ip}' is on vpc '{address.vpc}': firewall rules do not apply",
                sources.where(project.name, "firewall", i),
                hint,
            )
    for i, egress in enumerate(project.egress):
        if egress.network in tiers:
            yield error(
                Code.VPC_MISMATCH,
                f"'{egress.network}' is a tier of vpc '{tiers[egress.network]}':"
                " egress rules do not apply",
                sources.where(project.name, "egress", i),
                hint,
            )
    for name, address in project.public_ips.items():
        if address.network in tiers:
            yield error(
                Code.VPC_MISMATCH,
                f"'{address.network}' is a tier of vpc '{tiers[address.network]}'",
                sources.where(project.name, "public_ips", name, "network"),
                f"write 'vpc: {tiers[address.network]}'; each rule names its tier",
            )


def check_addresses(project: Project, sources: SourceMap) -> list[Diagnostic]:
    return [
        *_reach(project, sources),
        *_static_nat(project, sources),
        *_acl_only(project, sources),
    ]
