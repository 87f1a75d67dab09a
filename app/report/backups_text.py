"""Templates and snapshot policies in a few words: a template by its image, OS and zones, a
policy by its disk and its schedule as a person reads it ("daily at 02:30"), not as
createSnapshotPolicy takes it ("30:02")."""

from __future__ import annotations

from typing import Any

from app.spec.snapshots import WEEKDAYS


def describe_backup(kind: str, fields: dict[str, Any]) -> str:
    get = fields.get
    if kind == "template":
        zones = ", ".join(get("zones") or []) or "none"
        failed = f" · download failed: {get('download_error')}" if get("download_error") else ""
        image = f"{get('format')} for {get('hypervisor')} · {get('os_type')}"
        return f"{image} · in {zones} · from {get('url')}{failed}"
    disk = f"{get('root_of')}'s root disk" if get("root_of") else get("volume")
    return f"of {disk} · {_when(fields)} {get('timezone')} · keeps {get('keep')}"


def _when(fields: dict[str, Any]) -> str:
    """The schedule: "MM" hourly, "MM:HH" daily, "MM:HH:D" weekly and monthly."""
    interval = str(fields.get("interval"))
    parts = str(fields.get("schedule")).split(":")
    if interval == "hourly" or len(parts) < 2:
        return f"{interval} at :{parts[0]}"
    at = f"at {parts[1]}:{parts[0]}"
    if interval == "weekly" and len(parts) > 2 and parts[2].isdigit():
        return f"weekly on {WEEKDAYS[(int(parts[2]) - 1) % 7]} {at}"
    if interval == "monthly" and len(parts) > 2:
        return f"monthly on day {parts[2]} {at}"
    return f"{interval} {at}"
