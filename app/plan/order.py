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


def _rank(change: Change) -> tuple[int, int, str, str]:
    position = KIND_ORDER.index(change.kind)
    if change.kind == "limits":
        phase = 0
    elif change.action is Action.DELETE:
        phase, position = 1, len(KIND_ORDER) - position
    else:
        phase = 2
    return phase, position, change.project, change.name


def apply_order(changes: Iterable[Change]) -> tuple[Change, ...]:
    return tuple(sorted(changes, key=_rank))
