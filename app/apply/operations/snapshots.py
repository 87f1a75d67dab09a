"""Snapshot policies: createSnapshotPolicy makes and updates them; deleteSnapshotPolicies.

createSnapshotPolicy (CreateSnapshotPolicyCmd, sync: volumeid, intervaltype, schedule,
timezone, maxsnaps, tags) keeps one policy per volume and interval: for a volume that has
one of the interval it updates that one in place, drops its tags and writes the ones the
call gives (SnapshotManagerImpl.persistSnapshotPolicy, updateSnapshotPolicy). So a create
and an update are one call with the tags in it, and a resumed apply that sends it again
makes no second policy. deleteSnapshotPolicies (DeleteSnapshotPoliciesCmd, sync, by id)
deletes a policy and its tags; the snapshots it took stay.

A policy's volume is a data volume the repo names, or an instance's ROOT volume. CloudStack
refuses a policy on a volume that is not Ready ("... is not in Ready state but Allocated"):
a data volume is Ready once attached to an instance.
"""

from __future__ import annotations

from typing import Any

from app.apply.operations.base import Context, Submitted
from app.apply.operations.common import Operations, Unresolved, after, live_id, ref
from app.apply.operations.tags import wanted_tags
from app.cloudstack.errors import ApiError
from app.plan.model import Action, Change

CREATE = "createSnapshotPolicy"
PARAM_ERROR = 431  # listSnapshotPolicies of a policy that is gone: its volume is unknown


def volume_id(ctx: Context, change: Change) -> str:
    fields = after(change)
    if fields.get("volume"):
        return ref(ctx, "volume", fields["volume"], CREATE)
    vm = ref(ctx, "instance", fields["root_of"], CREATE)
    rows = ctx.client.list(
        "listVolumes", virtualmachineid=vm, type="ROOT", projectid=ctx.project_id
    )
    if not rows:
        raise Unresolved(ctx.client.cloud, CREATE, f"instance '{fields['root_of']}' has no root")
    return str(rows[0]["id"])


class SetPolicy:
    """The create and the update: the volume's policy of the interval, tagged."""

    def submit(self, ctx: Context, change: Change) -> Submitted:
        fields = after(change)
        tags = wanted_tags(ctx, change)
        answer = ctx.client.request(
            CREATE,
            volumeid=volume_id(ctx, change),
            intervaltype=str(fields["interval"]).upper(),
            schedule=fields["schedule"],
            timezone=fields["timezone"],
            maxsnaps=fields["keep"],
            tags=[{"key": key, "value": value} for key, value in sorted(tags.items())],
        )
        return Submitted(resource_id=str(answer["snapshotpolicy"]["id"]))

    def finish(
        self, _ctx: Context, _change: Change, submitted: Submitted, _result: dict[str, Any]
    ) -> str | None:
        return submitted.resource_id

    def find(self, _ctx: Context, _change: Change) -> str | None:
        return None  # sent again, the call updates the one policy: nothing to look for


class DeletePolicy:
    def submit(self, ctx: Context, change: Change) -> Submitted:
        policy = live_id(ctx, change, "deleteSnapshotPolicies")
        ctx.client.request("deleteSnapshotPolicies", id=policy)
        return Submitted(resource_id=policy)

    def finish(
        self, _ctx: Context, _change: Change, _submitted: Submitted, _result: dict[str, Any]
    ) -> str | None:
        return None

    def find(self, ctx: Context, change: Change) -> str | None:
        policy = live_id(ctx, change, "listSnapshotPolicies")
        try:
            rows = ctx.client.list("listSnapshotPolicies", id=policy)
        except ApiError as exc:
            if exc.errorcode == PARAM_ERROR:  # gone, and its volume with it, or by itself
                return None
            raise
        return policy if any(str(row.get("id")) == policy for row in rows) else None


OPERATIONS: Operations = {
    ("snapshot_policy", Action.CREATE): SetPolicy(),
    ("snapshot_policy", Action.UPDATE): SetPolicy(),
    ("snapshot_policy", Action.DELETE): DeletePolicy(),
}
