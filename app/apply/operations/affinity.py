"""Affinity groups: createAffinityGroup (CreateAffinityGroupCmd, async: type, name,
description, projectid) and deleteAffinityGroup (DeleteAffinityGroupCmd, async, by id).

Affinity groups take no tags (ResourceTag.ResourceObjectType has no AffinityGroup), so, as
for key pairs, the project records the ones stackgate made in ``stackgate.affinity.<name>``
tags (value: the repo), which is how the inventory finds them; labels and protection cannot
be kept on them. CloudStack has no update: a new type or description replaces the group.
deleteAffinityGroup does not refuse a group in use: it takes its VMs out
(AffinityGroupServiceImpl.deleteAffinityGroup removes the VM map rows); the plan stops and
updates the instances that name a replaced group, after the group is made again.
"""

from __future__ import annotations

from typing import Any

from app.apply.operations.base import Context, Submitted
from app.apply.operations.common import Operations, after, display_text
from app.apply.operations.recorded import DeleteRecorded
from app.apply.operations.tags import project_tags, record
from app.cloudstack.inventory import AFFINITY_TAG
from app.plan.model import Action, Change

CREATE = "createAffinityGroup"


def _group(ctx: Context, change: Change) -> dict[str, Any] | None:
    rows = ctx.client.list("listAffinityGroups", name=change.name, projectid=ctx.project_id)
    return next((r for r in rows if r.get("name") == change.name), None)


def _same(group: dict[str, Any], change: Change) -> bool:
    return bool(group.get("type") == after(change).get("type"))


class CreateGroup:
    """Also the adopt of an untagged group: one of the same name and type is taken as it is."""

    def submit(self, ctx: Context, change: Change) -> Submitted:
        known = _group(ctx, change)
        if known is not None and _same(known, change):  # made before a restart, or adopted
            return Submitted(resource_id=str(known["id"]))
        fields = after(change)
        answer = ctx.client.request(
            CREATE,
            type=fields["type"],
            name=change.name,
            description=display_text(change),
            projectid=ctx.project_id,
        )
        return Submitted(str(answer["jobid"]), str(answer["id"]))

    def finish(
        self, ctx: Context, change: Change, submitted: Submitted, _result: dict[str, Any]
    ) -> str | None:
        record(ctx, AFFINITY_TAG + change.name, ours=True)
        return submitted.resource_id

    def find(self, ctx: Context, change: Change) -> str | None:
        """Made (same type) and recorded on the project: the create is done."""
        group = _group(ctx, change)
        recorded = project_tags(ctx).get(AFFINITY_TAG + change.name) == ctx.repo
        return str(group["id"]) if group is not None and _same(group, change) and recorded else None


OPERATIONS: Operations = {
    ("affinity_group", Action.CREATE): CreateGroup(),
    ("affinity_group", Action.DELETE): DeleteRecorded(_group, "deleteAffinityGroup", AFFINITY_TAG),
}
