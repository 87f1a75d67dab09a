"""Recurring snapshot policies on volumes (SnapshotManagerImpl.createPolicy and friends): one
policy per volume and interval type, its schedule parsed as DateUtil.getNextRunTime does."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from app.sandbox.accounting import limit
from app.sandbox.api import Answer, Ctx, command
from app.sandbox.commands.tags import tag_object
from app.sandbox.errors import invalid_parameter
from app.sandbox.listing import list_body
from app.sandbox.store import CloudState, Row

INTERVALS = ("HOURLY", "DAILY", "WEEKLY", "MONTHLY")  # DateUtil.IntervalType, by ordinal
MAX_SNAPS = 8  # snapshot.max.hourly/daily/weekly/monthly defaults (Snapshot.Type.getMax)
# schedule fields per interval: minute; minute:hour; minute:hour:day-of-week; …:day-of-month
_FIELDS = {"HOURLY": (59,), "DAILY": (59, 23), "WEEKLY": (59, 23, 7), "MONTHLY": (59, 23, 28)}


def _schedule_ok(interval: str, schedule: str) -> bool:
    parts = schedule.split(":")
    bounds = _FIELDS[interval]
    if len(parts) != len(bounds) or not all(part.isdigit() for part in parts):
        return False
    lows = (0, 0, 1)
    return all(lows[i] <= int(part) <= bounds[i] for i, part in enumerate(parts))


@command("createSnapshotPolicy")
def create_snapshot_policy(ctx: Ctx) -> dict[str, Any]:
    request = ctx.request
    volume_id = request.require("volumeid")
    volume = ctx.state.table("volumes").get(volume_id)
    if volume is None:
        raise invalid_parameter(
            f"Failed to create snapshot policy, unable to find a volume with id {volume_id}"
        )
    display = request.flag("fordisplay", default=True)
    if volume["state"] != "Ready" and display:
        raise invalid_parameter(
            f"VolumeId: {volume_id} is not in Ready state but {volume['state']}. Cannot take "
            "snapshot."
        )
    given = request.require("intervaltype")
    interval = given.upper()
    if interval not in INTERVALS:
        raise invalid_parameter(f"Unsupported interval type {given}")
    timezone = request.require("timezone")
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        timezone = "GMT"  # TimeZone.getTimeZone falls back to GMT; CloudStack logs and goes on
    schedule = request.require("schedule")
    if not _schedule_ok(interval, schedule):
        raise invalid_parameter(f"Invalid schedule: {schedule} for interval type: {given}")
    keep = request.number("maxsnaps", 0) or 0
    if keep <= 0:
        raise invalid_parameter("maxSnaps should be greater than 0")
    if keep > MAX_SNAPS:
        raise invalid_parameter(f"maxSnaps exceeds limit: {MAX_SNAPS} for interval type: {given}")
    project_id = volume.get("projectid", "")
    allowed = limit(ctx.state, project_id, 3) if project_id else -1
    if display and allowed != -1 and keep > allowed:
        where = "domain/project" if project_id else "domain/account"
        raise invalid_parameter(
            f"Max number of snapshots shouldn't exceed the {where} level snapshot limit"
        )
    table = ctx.state.table("snapshot_policies")
    policy = next(
        (
            p
            for p in table
            if p["volumeid"] == volume_id and p["intervaltype"] == INTERVALS.index(interval)
        ),
        None,
    )
    if policy is None:
        policy = table.add(
            {"id": ctx.state.new_id(), "volumeid": volume_id, "_project": project_id}
        )
    policy.update(
        schedule=schedule,
        intervaltype=INTERVALS.index(interval),
        maxsnaps=keep,
        timezone=timezone,
        fordisplay=display,
        tags=[],  # an update drops the policy's tags and writes the given ones
    )
    for item in request.maps.get("tags", []):
        tag = tag_object(ctx, "SnapshotPolicy", policy, item.get("key", ""), item.get("value", ""))
        policy["tags"].append(tag)
    return {"snapshotpolicy": _shown(policy)}


def _shown(policy: Row) -> Row:
    return {key: value for key, value in policy.items() if not key.startswith("_")}


@command("listSnapshotPolicies")
def list_snapshot_policies(ctx: Ctx) -> dict[str, Any]:
    """listPoliciesforVolume: by id, or every policy of one volume (which must exist)."""
    request = ctx.request
    table = ctx.state.table("snapshot_policies")
    volume_id = request.get("volumeid")
    if request.get("id"):
        found = table.get(request.get("id") or "")
        volume_id = found["volumeid"] if found else volume_id
    if not volume_id or ctx.state.table("volumes").get(volume_id) is None:
        raise invalid_parameter(f"Unable to find a volume with id {volume_id}")

    def keep(policy: Row) -> bool:
        return bool(policy["volumeid"] == volume_id)

    return list_body(request, "snapshotpolicy", table, keep)


@command("updateSnapshotPolicy")
def update_snapshot_policy(ctx: Ctx) -> Answer:
    policy = ctx.entity("snapshot_policies", "id")
    display = ctx.request.get("fordisplay")

    def run() -> tuple[str, Row]:
        if display is not None:
            policy["fordisplay"] = display.lower() == "true"
        return "snapshotpolicy", policy

    return ctx.submit(run, ("Snapshot", policy))


def drop_volume(state: CloudState, volume_id: str) -> None:
    """A volume destroyed takes its policies (and their tags) with it: VolumeServiceImpl
    .destroyVolume calls SnapshotManagerImpl.deletePoliciesForVolume."""
    table = state.table("snapshot_policies")
    for policy in [p for p in table if p["volumeid"] == volume_id]:
        table.remove(policy["id"])
    state.table("volumes").remove(volume_id)


@command("deleteSnapshotPolicies")
def delete_snapshot_policies(ctx: Ctx) -> dict[str, Any]:
    """SnapshotManagerImpl.deleteSnapshotPolicies: id or ids, each must exist."""
    request = ctx.request
    ids = [request.get("id")] if request.get("id") else request.ids("ids")
    if not ids:
        raise invalid_parameter("No policy id (or list of ids) specified.")
    table = ctx.state.table("snapshot_policies")
    for policy_id in ids:
        if table.get(policy_id or "") is None:
            raise invalid_parameter(f"Policy id given: {policy_id} does not exist")
    for policy_id in ids:
        table.remove(policy_id or "")
    return {"success": True}
