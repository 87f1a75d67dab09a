"""The delete of an object that takes no tags and is recorded on its project instead (an
affinity group, a Kubernetes cluster): one async call by id, then the project's record goes.
A resumed delete finds the object gone and only the record left, and removes that."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from app.apply.operations.base import Context, Submitted
from app.apply.operations.tags import project_tags, record
from app.plan.model import Change

Lookup = Callable[[Context, Change], dict[str, Any] | None]


@dataclass(frozen=True)
class DeleteRecorded:
    look: Lookup  # the live object the change deletes, None once it is gone
    command: str  # deleteAffinityGroup, deleteKubernetesCluster: async, by id
    tag: str  # the record's prefix (stackgate.affinity., stackgate.kubernetes.)

    def submit(self, ctx: Context, change: Change) -> Submitted:
        found = self.look(ctx, change)
        if found is None:  # gone already (a resumed delete): only the record is left
            return Submitted(resource_id=change.live_id)
        answer = ctx.client.request(self.command, id=found["id"])
        return Submitted(str(answer["jobid"]), str(found["id"]))

    def finish(
        self, ctx: Context, change: Change, _submitted: Submitted, _result: dict[str, Any]
    ) -> str | None:
        record(ctx, self.tag + change.name, ours=False)
        return None

    def find(self, ctx: Context, change: Change) -> str | None:
        """Still there, or gone with the project's record of it left to remove."""
        found = self.look(ctx, change)
        if found is not None:
            return str(found["id"])
        return change.live_id if self.tag + change.name in project_tags(ctx) else None
