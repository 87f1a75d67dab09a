"""Data volumes: createVolume (async create) + attachVolume; resizeVolume and re-attaching in
place; detachVolume + deleteVolume.

createVolume: name, diskofferingid, zoneid, projectid and, for a custom-size offering only,
size (GiB). Attaching is a separate attachVolume (id, virtualmachineid) in ``finish``,
skipped when the volume is already on that instance. A delete detaches first (async, in
``submit``), then deleteVolume (sync) in ``finish``, which looks before each call. An
update grows the volume (resizeVolume, async, only while it is smaller), then attaches it
to the instance the repo names (after that instance was replaced, or moved), then tags.
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
    live_row,
    ref,
    retag,
    row,
    zone_id,
)
from app.apply.operations.create import Create
from app.cloudstack.catalog import GIB
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
        _attach(ctx, change, obj)


def _attach(ctx: Context, change: Change, volume: dict[str, Any]) -> None:
    """On the instance the repo names, and only there (detached from any other first)."""
    target = after(change).get("attach_to")
    vm = ref(ctx, "instance", target, "attachVolume") if target else None
    attached = volume.get("virtualmachineid")
    if attached == vm:
        return
    if attached:
        ctx.client.run("detachVolume", id=volume["id"])
    if vm:
        ctx.client.run("attachVolume", id=volume["id"], virtualmachineid=vm)


class UpdateVolume:
    def submit(self, ctx: Context, change: Change) -> Submitted:
        volume = live_row(ctx, VOLUMES, change, "resizeVolume")
        size = after(change).get("size_gib")
        if not size or int(volume.get("size", 0)) >= size * GIB:
            return Submitted(resource_id=str(volume["id"]))
        answer = ctx.client.request("resizeVolume", id=volume["id"], size=size)
        return Submitted(str(answer["jobid"]), str(volume["id"]))

    def finish(
        self, ctx: Context, change: Change, _submitted: Submitted, _result: dict[str, Any]
    ) -> str | None:
        volume = live_row(ctx, VOLUMES, change, "attachVolume")
        _attach(ctx, change, volume)
        retag(ctx, VOLUMES, change, str(volume["id"]))
        return str(volume["id"])

    def find(self, _ctx: Context, _change: Change) -> str | None:
        return None  # each call looks at the volume first: running it again is harmless


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
    ("volume", Action.UPDATE): UpdateVolume(),
    ("volume", Action.DELETE): DeleteVolume(VOLUMES, "deleteVolume"),
}
