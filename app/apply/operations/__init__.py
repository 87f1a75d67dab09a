"""Which operation applies a change: one per (kind, action) that apply supports.

Replaces, stop-start updates and the updates not listed here are not supported yet
(``operation_for`` answers None), so a plan holding one is refused before it starts.
"""

from __future__ import annotations

from app.apply.operations import (
    addresses,
    balancers,
    instances,
    keys,
    limits,
    networks,
    rules,
    volumes,
)
from app.apply.operations.base import Operation
from app.plan.model import Action

OPERATIONS: dict[tuple[str, Action], Operation] = {
    **limits.OPERATIONS,
    **keys.OPERATIONS,
    **networks.OPERATIONS,
    **addresses.OPERATIONS,
    **instances.OPERATIONS,
    **volumes.OPERATIONS,
    **rules.OPERATIONS,
    **balancers.OPERATIONS,
}


def operation_for(kind: str, action: Action) -> Operation | None:
    return OPERATIONS.get((kind, action))
