"""Apply order as a table: the project and its members, limits, then deletes from the leaves
in, then the rest from the roots; a project is deleted or suspended last. A security group's
rules naming other groups are authorized after every group is made, and revoked before any
group is deleted (groups may name each other, so no order of the groups alone would do)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from app.plan.model import Action, Change

# Creates and updates run in this order; deletes run in the reverse order, before them, so a
# rule goes before its address and an address before its network, and freed quota is free.
# Instances come before public IPs: the first address associated to an isolated network with
# none becomes its source NAT (IpAddressManagerImpl.isSourceNatAvailableForNetwork), which
# CloudStack never releases while the network is in use; a network's first VM takes a source
# NAT address of its own, so a declared address made after it stays the repo's to delete.
# The project is made (or changed) and its members added before everything inside it.
# Groups come before the instances that name them at deploy; a VPC before its ACL lists and
# its tiers (networks), an ACL list before the tiers that name it; deleted in reverse, a tier
# goes before its ACL list (CloudStack keeps a list in use) and both before their VPC.
# A project's template is registered before the instances that boot from it; a cluster comes
# after the instances, so that its isolated network already has its source NAT address (CKS
# opens its API and SSH ports there); a snapshot policy after its volume, and deleted before it.
KIND_ORDER = (
    "project",
    "project_member",
    "limits",
    "ssh_key",
    "affinity_group",
    "security_group",
    "vpc",
    "network_acl",
    "network_acl_rule",
    "network",
    "template",
    "instance",
    "kubernetes_cluster",
    "public_ip",
    "volume",
    "snapshot_policy",
    "firewall",
    "egress",
    "port_forward",
    "load_balancer",
)


FIRST = ("project", "project_member", "limits")


def wave(change: Change) -> tuple[int, int, int]:
    """Changes in the same wave never depend on each other: they may run at the same time."""
    position = KIND_ORDER.index(change.kind)
    if change.kind == "project" and _last(change):
        return 3, position, 0
    if (
        change.kind in ("project", "project_member", "limits")
        and change.action is not Action.DELETE
    ):
        return 0, position, 0
    if change.action is Action.DELETE:  # a group after its rules naming groups are revoked
        return 1, len(KIND_ORDER) - position, int(change.kind == "security_group")
    if unnamed(change) and revokes_only(change):  # see unnamed
        return 1, len(KIND_ORDER) - position, 0
    # A group's update naming another group runs once the groups of the run are made; a
    # create naming one is split by apply (app/apply/steps.py): the group with its other
    # rules first, the rules naming other groups as such an update.
    return 2, position, int(change.action in (Action.UPDATE, Action.ADOPT) and bool(peers(change)))


def peers(change: Change) -> frozenset[str]:
    """The other security groups of its project a group's rules name (``group`` of a rule)."""
    if change.kind != "security_group":
        return frozenset()
    return named_groups(change.after) - {change.name}


def named_groups(values: Mapping[str, Any] | None) -> frozenset[str]:
    """The groups a security group's rules name, its own name included."""
    return frozenset(str(rule["group"]) for rule in _rules(values) if rule.get("group"))


def unnamed(change: Change) -> frozenset[str]:
    """The groups a group's update stops naming. CloudStack deletes no group a rule names
    (536): an update that only revokes runs with the deletes, before any group goes (apply
    splits one that also authorizes: app/apply/steps.py)."""
    if change.kind != "security_group" or change.action is not Action.UPDATE:
        return frozenset()
    return named_groups(change.before) - named_groups(change.after)


def revokes_only(change: Change) -> bool:
    """Every rule the change ends with, the group has already."""
    return all(rule in _rules(change.before) for rule in _rules(change.after))


def _rules(values: Mapping[str, Any] | None) -> list[dict[str, Any]]:
    return [rule for way in ("ingress", "egress") for rule in (values or {}).get(way) or []]


def _last(change: Change) -> bool:
    """Deleted after everything in it, suspended after everything else is done in it."""
    return change.action is Action.DELETE or (change.after or {}).get("state") == "suspended"


def _rank(change: Change) -> tuple[int, int, int, str, str]:
    return (*wave(change), change.project, change.name)


def apply_order(changes: Iterable[Change]) -> tuple[Change, ...]:
    return tuple(sorted(changes, key=_rank))
