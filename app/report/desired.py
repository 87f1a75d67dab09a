"""The desired state as a terminal tree: what the repo asks for, one line per resource."""

from __future__ import annotations

from rich.markup import escape
from rich.text import Text
from rich.tree import Tree

from app.spec.groups import AffinityGroup, SecurityGroup
from app.spec.kubernetes import KubernetesCluster
from app.spec.model import (
    RESOURCE_SECTIONS,
    EgressRule,
    FirewallRule,
    Instance,
    Item,
    LoadBalancer,
    Network,
    PortForward,
    Project,
    PublicIp,
    SshKey,
    Volume,
)
from app.spec.snapshots import SnapshotPolicy
from app.spec.state import DesiredState
from app.spec.templates import Template
from app.spec.vpc import AclRule, NetworkAcl, Tier, Vpc


def describe(item: Item) -> str:
    """A short human summary of one resource's settings."""
    match item:
        case Network():
            return f"{item.cidr} · {item.offering}"
        case Instance():
            disk = f" · root {item.root_disk}" if item.root_disk else ""
            return f"{item.offering} · {item.template} · on {', '.join(item.networks)}{disk}"
        case Volume():
            size = f"{item.size} " if item.size else ""
            target = f" → {item.attach_to}" if item.attach_to else " (detached)"
            return f"{size}{item.offering}{target}"
        case PublicIp():
            nat = f" · static NAT → {item.static_nat}" if item.static_nat else ""
            return (f"on {item.network}" if item.network else f"on vpc {item.vpc}") + nat
        case FirewallRule():
            return f"{item.ip} {_traffic(item)} from {', '.join(item.cidrs)}"
        case EgressRule():
            return f"{item.network} {_traffic(item)} to {', '.join(item.cidrs)}"
        case PortForward():
            target = f"{item.instance}:{item.private_port}"
            return f"{item.ip}:{item.public_port} → {target} {item.protocol}"
        case LoadBalancer():
            targets = f"{', '.join(item.members)}:{item.private_port}"
            return f"{item.ip}:{item.public_port} → {targets} {item.algorithm}"
        case SshKey():
            return item.public_key.split()[0]
        case Vpc():
            return f"{item.cidr} · {item.offering} · tiers: {', '.join(item.tiers) or 'none'}"
        case Tier():
            return f"{item.subnet} · acl {item.acl}"
        case NetworkAcl():
            return f"vpc {item.vpc} · {len(item.rules)} rules"
        case AclRule():
            return f"{item.number} {item.action} {item.traffic} {item.protocol}"
        case SecurityGroup():
            return f"{len(item.ingress)} ingress, {len(item.egress)} egress rules"
        case AffinityGroup():
            return item.type
        case Template():
            return f"{item.format} · {item.os_type} · {item.url}"
        case KubernetesCluster():
            return f"{item.version} · {item.control_nodes} control + {item.size} · {item.offering}"
        case SnapshotPolicy():
            return f"{item.schedule} · keep {item.keep}"


def _traffic(rule: FirewallRule | EgressRule) -> str:
    if rule.protocol == "icmp" and isinstance(rule, FirewallRule) and rule.icmp_type is not None:
        code = "any" if rule.icmp_code is None else rule.icmp_code
        return f"icmp type {rule.icmp_type} code {code}"
    if rule.protocol == "all":
        return "all traffic"
    return f"{rule.protocol} {rule.ports or 'all ports'}"


def project_tree(project: Project) -> Tree:
    owners = ", ".join(project.owners) or "no owners"
    tree = _tree(
        f"[bold]{project.name}[/] [dim]cloud {escape(project.cloud)} · zone {escape(project.zone)}"
        f" · {escape(owners)} · {', '.join(project.files)}[/]"
    )
    limits = project.limits.model_dump(exclude_none=True)
    if limits:
        _add(
            tree, escape("limits: " + ", ".join(f"{key} {value}" for key, value in limits.items()))
        )
    for section in RESOURCE_SECTIONS:
        entries = getattr(project, section)
        if not entries:
            continue
        branch = _add(tree, f"[cyan]{section}[/] ({len(entries)})")
        named = entries.items() if isinstance(entries, dict) else enumerate(entries, start=1)
        for name, item in named:
            label = f"[bold]{name}[/] " if isinstance(name, str) else ""
            _add(branch, f"{label}{escape(describe(item))}")
    return tree


def _tree(markup: str) -> Tree:
    return Tree(Text.from_markup(markup, overflow="fold"))


def _add(tree: Tree, markup: str) -> Tree:
    return tree.add(Text.from_markup(markup, overflow="fold"))


def desired_state_trees(state: DesiredState) -> list[Tree]:
    return [project_tree(project) for project in state.projects.values()]
