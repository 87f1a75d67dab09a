"""Adopting an untagged object: the kind's own update (which writes the tags last), nothing made.

A plan's adopt change holds the fields that differ beside the tags. The step runs the kind's
update operation on the live object (the one that stops an instance when a field needs it,
as the plan's classification says), and every update ends by syncing the tags, so an object
found tagged under its key has been adopted whole. Every update looks at the object before
each call, so a resumed step runs it again without harm; a key pair is adopted by
registering it, which takes a key already there with the same fingerprint.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from app.apply.operations.base import Context, Operation, Submitted
from app.apply.operations.common import KINDS, find_tagged
from app.plan.adopt import TAGS
from app.plan.diff import classify
from app.plan.model import Action, Change


@dataclass(frozen=True)
class Adopt:
    """Tag (and update) one untagged object through ``updates``, the kind's update
    operation by the action its field changes need."""

    updates: Mapping[Action, Operation]

    def _update(self, ctx: Context, change: Change) -> tuple[Operation, Change]:
        fields = tuple(f for f in change.changed if f.field not in TAGS)
        action = Action.UPDATE
        if fields:
            action = classify(change.kind, fields, change.before or {}, ctx.catalog)[0]
        return self.updates[action], replace(change, action=action)

    def submit(self, ctx: Context, change: Change) -> Submitted:
        operation, update = self._update(ctx, change)
        return operation.submit(ctx, update)

    def finish(
        self, ctx: Context, change: Change, submitted: Submitted, result: dict[str, Any]
    ) -> str | None:
        operation, update = self._update(ctx, change)
        return operation.finish(ctx, update, submitted, result)

    def find(self, ctx: Context, change: Change) -> str | None:
        """Tagged under its key already: the adoption went through (tags are written last)."""
        if change.kind in KINDS:
            return find_tagged(ctx, KINDS[change.kind], change)
        return self.updates[Action.UPDATE].find(ctx, change)


def adopters(
    operations: Mapping[tuple[str, Action], Operation],
) -> dict[tuple[str, Action], Operation]:
    """(kind, adopt) for every tagged kind of object; a key pair's is its registration, an
    affinity group's its create, which takes the group of that name and type already there,
    a Kubernetes cluster's its update, which ends by recording it on the project."""
    found: dict[tuple[str, Action], Operation] = {
        (kind, Action.ADOPT): Adopt(
            {
                action: operations[(kind, action)]
                for action in (Action.UPDATE, Action.UPDATE_STOP)
                if (kind, action) in operations
            }
        )
        for kind in KINDS
    }
    for kind in ("ssh_key", "affinity_group"):  # untaggable: recorded by the create
        found[(kind, Action.ADOPT)] = Adopt({Action.UPDATE: operations[(kind, Action.CREATE)]})
    # untaggable too, and changed in place: its update scales it (or so) and records it
    cluster = ("kubernetes_cluster", Action.UPDATE)
    found[("kubernetes_cluster", Action.ADOPT)] = Adopt({Action.UPDATE: operations[cluster]})
    return found
