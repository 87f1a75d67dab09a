"""Project limits: one synchronous updateResourceLimit per resource (projectid, resourcetype, max).

Storage limits are in GiB and memory in MiB, as the plan already holds them; -1 is unlimited.
Real CloudStack refuses a caller raising limits of its own account; the sandbox does not check.
"""

from __future__ import annotations

from typing import Any

from app.apply.operations.base import Context, Submitted
from app.apply.operations.common import Operations, Unresolved, after
from app.cloudstack.usage import RESOURCES
from app.plan.model import Action, Change

UNLIMITED = -1


def _type(ctx: Context, change: Change) -> int:
    resource = RESOURCES.get(change.name)
    if resource is None:
        raise Unresolved(ctx.client.cloud, "updateResourceLimit", f"no limit '{change.name}'")
    return resource.type_id


def _wanted(change: Change) -> int:
    value = after(change).get("limit")
    return UNLIMITED if value is None else int(value)


class UpdateLimit:
    def submit(self, ctx: Context, change: Change) -> Submitted:
        ctx.client.request(
            "updateResourceLimit",
            projectid=ctx.project_id,
            resourcetype=_type(ctx, change),
            max=_wanted(change),
        )
        return Submitted(resource_id=ctx.project_id)

    def finish(
        self, ctx: Context, _change: Change, _submitted: Submitted, _result: dict[str, Any]
    ) -> str | None:
        return ctx.project_id

    def find(self, ctx: Context, change: Change) -> str | None:
        """The project's id when the limit already has the wanted value."""
        rows = ctx.client.list(
            "listResourceLimits", projectid=ctx.project_id, resourcetype=_type(ctx, change)
        )
        done = any(int(r.get("max", UNLIMITED)) == _wanted(change) for r in rows)
        return ctx.project_id if done else None


OPERATIONS: Operations = {("limits", Action.UPDATE): UpdateLimit()}
