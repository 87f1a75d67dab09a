"""Apply order as a table: limits, then deletes from the leaves in, then the rest from the roots."""

from __future__ import annotations

from collections.abc import Iterable

from app.plan.model import Action, Change

# Creates and updates run in this order; deletes run in the reverse order, before them, so a
# rule goes before its address and an address before its network, and freed quota is free.
KIND_ORDER = (
    "limits",
    "ssh_key",
    "network",
    "public_ip",
    "instance",
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
