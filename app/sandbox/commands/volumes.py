"""Volumes: create (async-create), attach, detach, resize (async), delete (sync), list."""

from __future__ import annotations

from typing import Any

from app.sandbox.accounting import GIB, require
from app.sandbox.api import Answer, Ctx, command
from app.sandbox.commands.snapshot_policies import drop_volume
from app.sandbox.errors import (
    CS_RESOURCE_ALLOCATION,
    UNSUPPORTED_ACTION,
    ApiError,
    invalid_parameter,
)
from app.sandbox.listing import list_body, visible
from app.sandbox.store import Row

MAX_DATA_DISKS = 6
ATTACHMENT = ("virtualmachineid", "vmname", "vmdisplayname", "vmstate", "deviceid", "attached")


def volume_row(
    ctx: Ctx,
    name: str,
    kind: str,
    size_gib: int,
    offering: Row | None,
    project: Row | None,
    zone: Row | None = None,
) -> Row:
    zone = zone or ctx.entity("zones", "zoneid")
    row: Row = {
        "id": ctx.state.new_id(),
        "name": name,
        "zoneid": zone["id"],
        "zonename": zone["name"],
        "type": kind,
        "size": size_gib * GIB,
        "created": ctx.state.timestamp(),
        "state": "Allocated",
        **ctx.owner_fields(project),
        "storagetype": "shared",
        "hypervisor": "Simulator",
        "destroyed": False,
        "isextractable": False,
        "provisioningtype": "thin",
        "displayvolume": True,
        "quiescevm": False,
        "supportsstoragesnapshot": True,
        "deleteprotection": False,
        "tags": [],
        "hasannotations": False,
    }
    if offering:
        row.update(
            diskofferingid=offering["id"],
            diskofferingname=offering["name"],
            diskofferingdisplaytext=offering["displaytext"],
        )
    return row


def attach(volume: Row, vm: Row, device: int, when: str) -> None:
    volume.update(
        virtualmachineid=vm["id"],
        vmname=vm["name"],
        vmdisplayname=vm["displayname"],
        vmstate=vm["state"],
        deviceid=device,
        attached=when,
        state="Ready",
    )


def _detach(volume: Row) -> None:
    for key in ATTACHMENT:
        volume.pop(key, None)


def _free_device(ctx: Ctx, vm: Row) -> int:
    used = {
        v.get("deviceid")
        for v in ctx.state.table("volumes")
        if v.get("virtualmachineid") == vm["id"]
    }
    device = next((d for d in range(1, MAX_DATA_DISKS + 2) if d not in used and d != 3), None)
    if device is None:
        raise invalid_parameter(
            f"The specified VM already has the maximum number of data disks ({MAX_DATA_DISKS}) "
            "attached. Please specify another VM."
        )
    return device


@command("createVolume")
def create_volume(ctx: Ctx) -> Answer:
    request = ctx.request
    offering = ctx.entity("disk_offerings", "diskofferingid")
    project = ctx.project()
    size = request.number("size")
    if offering["iscustomized"] and not size:
        raise invalid_parameter("This disk offering requires a custom size specified")
    if not offering["iscustomized"]:
        size = offering["disksize"]
    assert size is not None
    vm = ctx.optional("vms", "virtualmachineid")
    require(ctx.state, project, {2: 1, 10: size * GIB}, CS_RESOURCE_ALLOCATION)
    volume = volume_row(
        ctx,
        request.get("name") or f"DATA-{ctx.state.new_id()[:8]}",
        "DATADISK",
        size,
        offering,
        project,
    )
    ctx.state.table("volumes").add(volume)

    def run() -> tuple[str, Row]:
        if vm is not None:
            attach(volume, vm, _free_device(ctx, vm), ctx.state.timestamp())
        return "volume", volume

    return ctx.submit(run, ("Volume", volume))


@command("attachVolume")
def attach_volume(ctx: Ctx) -> Answer:
    volume = ctx.entity("volumes", "id")
    vm = ctx.entity("vms", "virtualmachineid")

    def run() -> tuple[str, Row]:  # AttachVolumeCmd.execute: its refusals fail the job
        if volume.get("virtualmachineid"):
            raise invalid_parameter("Please specify a volume that is not attached to any VM.")
        if vm["state"] not in ("Running", "Stopped"):
            raise invalid_parameter("Please specify a VM that is either running or stopped.")
        if volume["zoneid"] != vm["zoneid"]:
            raise invalid_parameter("Please specify a VM that is in the same zone as the volume.")
        attach(volume, vm, _free_device(ctx, vm), ctx.state.timestamp())
        return "volume", volume

    return ctx.submit(run, ("Volume", volume))


@command("detachVolume")
def detach_volume(ctx: Ctx) -> Answer:
    volume = ctx.entity("volumes", "id")

    def run() -> tuple[str, Row]:  # DetachVolumeCmd.execute: its refusals fail the job
        if volume["type"] == "ROOT":
            raise invalid_parameter("Please specify a data volume.")
        if not volume.get("virtualmachineid"):
            raise invalid_parameter("The specified volume is not attached to a VM.")
        _detach(volume)
        return "volume", volume

    return ctx.submit(run, ("Volume", volume))


@command("resizeVolume")
def resize_volume(ctx: Ctx) -> Answer:
    volume = ctx.entity("volumes", "id")
    size = ctx.request.number("size")

    def run() -> tuple[str, Row]:
        """ResizeVolumeCmd.execute turns InvalidParameterValueException into 432 and
        ResourceAllocationException into 535, both inside the job."""
        new_size = _checked_size(ctx, volume, size)
        project = ctx.state.table("projects").get(volume.get("projectid", ""))
        try:
            require(ctx.state, project, {10: max(new_size - volume["size"], 0)})
        except ApiError as error:
            raise ApiError(error.errorcode, error.errortext) from None
        volume["size"] = new_size
        return "volume", volume

    return ctx.submit(run, ("Volume", volume))


def _checked_size(ctx: Ctx, volume: Row, size_gib: int | None) -> int:
    if not size_gib:
        raise ApiError(UNSUPPORTED_ACTION, "Please specify a new size for the volume.")
    new_size = size_gib * GIB
    if new_size < volume["size"] and not ctx.request.flag("shrinkok"):
        raise ApiError(
            UNSUPPORTED_ACTION,
            f"Going from existing size of {volume['size']} to size of {new_size} would shrink "
            "the volume.Need to sign off by supplying the shrinkok parameter with value of true.",
        )
    vm = ctx.state.table("vms").get(volume.get("virtualmachineid", ""))
    if volume["type"] == "ROOT" and vm is not None and vm["state"] != "Stopped":
        raise ApiError(
            UNSUPPORTED_ACTION,
            f"Cannot resize ROOT volume [{volume['name']}] when VM is not on Stopped State. VM "
            f"{vm['name']} is in state {vm['state']}",
        )
    return new_size


@command("deleteVolume")
def delete_volume(ctx: Ctx) -> dict[str, Any]:
    volume = ctx.entity("volumes", "id")
    if volume.get("virtualmachineid"):
        raise invalid_parameter("Please specify a volume that is not attached to any VM.")
    drop_volume(ctx.state, volume["id"])
    return {"success": True}


@command("listVolumes")
def list_volumes(ctx: Ctx) -> dict[str, Any]:
    request = ctx.request
    vm, kind, zone = request.get("virtualmachineid"), request.get("type"), request.get("zoneid")

    def keep(row: Row) -> bool:
        return (
            (not vm or row.get("virtualmachineid") == vm)
            and (not kind or row["type"].lower() == kind.lower())
            and (not zone or row["zoneid"] == zone)
        )

    return list_body(
        request, "volume", visible(ctx.state, request, ctx.state.table("volumes")), keep
    )
