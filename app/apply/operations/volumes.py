"""Data volumes: createVolume (async create) + attachVolume; detachVolume + deleteVolume.

createVolume: name, diskofferingid, zoneid, projectid and, for a custom-size offering only,
size (GiB). Attaching is a separate attachVolume (id, virtualmachineid) in ``finish``,
skipped when the volume is already on that instance. A delete detaches first (async, in
``submit``), then deleteVolume (sync) in ``finish``, which looks before each call.
"""

from __future__ import annotations

from typing import Any

from app.apply.operations.base import Context, Submitted
from app.apply.operations.common import (
    KINDS,
    Delete,
    Operations,
    Unresolved,
    after,
    live_id,
    ref,
    row,
    zone_id,
)
from app.apply.operations.create import Create
from app.plan.model import Action, Change

VOLUMES = KINDS["volume"]


class CreateVolume(Create):
    kind_name = "volume"
    command = "createVolume"

    def params(self, ctx: Context, change: Change) -> dict[str, Any]:
        fields = after(change)
        offering = ctx.catalog.disk_offerings.get(fields["offering"])
        if offering is None:
            raise Unresolved(ctx.client.cloud, self.command, f"no offering {fields['offering']}")
        size = {"size": fields["size_gib"]} if offering.custom else {}
        return {
            "name": change.name,
            "diskofferingid": offering.id,
            "zoneid": zone_id(ctx, change, self.command),
            "projectid": ctx.project_id,
            **size,
        }

    def follow_up(self, ctx: Context, change: Change, obj: dict[str, Any]) -> None:
        target = after(change).get("attach_to")
        if not target:
            return
        vm = ref(ctx, "instance", target, "attachVolume")
        if obj.get("virtualmachineid") != vm:
            ctx.client.run("attachVolume", id=obj["id"], virtualmachineid=vm)


class DeleteVolume(Delete):
    def submit(self, ctx: Context, change: Change) -> Submitted:
        volume = live_id(ctx, change, self.command)
        found = row(ctx, VOLUMES, volume)
        if found is None or not found.get("virtualmachineid"):
            return Submitted(resource_id=volume)
        answer = ctx.client.request("detachVolume", id=volume)
        return Submitted(str(answer["jobid"]), volume)

    def finish(
        self, ctx: Context, change: Change, _submitted: Submitted, _result: dict[str, Any]
    ) -> str | None:
        volume = live_id(ctx, change, self.command)
        found = row(ctx, VOLUMES, volume)
        if found is None:  # deleted before a restart
            return None
        if found.get("virtualmachineid"):  # attached by someone since submit looked
            ctx.client.run("detachVolume", id=volume)
        ctx.client.request(self.command, id=volume)
        return None


OPERATIONS: Operations = {
    ("volume", Action.CREATE): CreateVolume(),
    ("volume", Action.DELETE): DeleteVolume(VOLUMES, "deleteVolume"),
}
