"""Apply order as a table: limits, then deletes from the leaves in, then the rest from the roots."""

from __future__ import annotations

from collections.abc import Iterable

from app.plan.model import Action, Change

# Creates and updates run in this order; deletes run in the reverse order, before them, so a
# rule goes before its address and an address before its network, and freed quota is free.
# Instances come before public IPs: the first address associated to an isolated network with
# none becomes its source NAT (IpAddressManagerImpl.isSourceNatAvailableForNetwork), which
# CloudStack never releases while the network is in use; a network's first VM takes a source
# NAT address of its own, so a declared address made after it stays the repo's to delete.
KIND_ORDER = (
    "limits",
    "ssh_key",
    "network",
    "instance",
    "public_ip",
    "volume",
    "firewall",
    "egress",
    "port_forward",
    "load_balancer",
)


def wave(change: Change) -> tuple[int, int]:
    """Changes in the same wave never depend on each other: they may run at the same time."""
    position = KIND_ORDER.index(change.kind)
    if change.kind == "limits":
        return 0, position
    if change.action is Action.DELETE:
        return 1, len(KIND_ORDER) - position
    return 2, position


def _rank(change: Change) -> tuple[int, int, str, str]:
    return (*wave(change), change.project, change.name)


def apply_order(changes: Iterable[Change]) -> tuple[Change, ...]:
    return tuple(sorted(changes, key=_rank))
