"""Templates and snapshot policies, written from CloudStack's rows in the repo's terms.

A template is listed once per zone: it is written once, with its zones (left out when they
are only the project's zone). The format needs a checksum; a template registered without
one, or one whose download failed, is left out, with the reason. A snapshot policy is
written on its volume, or on its instance for a root disk, as ``snapshot_policy:``; the
format takes one policy per volume, so of a volume's several (one per interval) the one of
the shortest interval is written and the rest left out.

The live reader finds policies by their tags (backup_reading.py); an import wants the ones
no repo tagged too, and CloudStack lists them per volume only, so ``read_policies`` costs one
listSnapshotPolicies per volume, root disks included (sent side by side). An imported
policy is planned as a create: createSnapshotPolicy then updates the volume's policy of that
interval in place and tags it, which adopts it (one policy, never two).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import Any

from app.cloudstack.client import CloudStackClient
from app.imports.mapping import Mapper, ProjectRows
from app.spec.snapshots import WEEKDAYS
from app.spec.templates import ImageFormat

Row = Mapping[str, Any]
FORMATS: tuple[str, ...] = ImageFormat.__args__  # type: ignore[attr-defined]
ROOTS = "root_volume"  # the rows of a project's ROOT volumes, as cloud.py keeps them


def read_policies(client: CloudStackClient, found: Mapping[str, ProjectRows]) -> None:
    """Each volume's policies (data volumes and root disks), as rows of its project; the
    calls are sent side by side, within the cloud's bound."""
    volumes = [
        (project_id, str(volume["id"]))
        for project_id, rows in found.items()
        for volume in [*rows.rows.get("volume", []), *rows.rows.get(ROOTS, [])]
    ]
    reads = [partial(client.list, "listSnapshotPolicies", volumeid=v) for _, v in volumes]
    for (project_id, _), policies in zip(volumes, client.gather(reads), strict=True):
        found[project_id].rows.setdefault("snapshot_policy", []).extend(
            {**policy, "projectid": project_id} for policy in policies
        )


def map_templates(mapper: Mapper) -> None:
    first = [row for row in mapper.rows("template") if mapper.reading.first_zone("template", row)]
    for row in first:
        fields = mapper.reading.template(row)
        name = str(row["name"])
        problem = None
        if fields["download_error"]:
            problem = f"its download failed ({fields['download_error']})"
        elif not fields["checksum"]:
            problem = "was registered without a checksum, which the repo format requires"
        elif fields["format"] not in FORMATS:
            problem = f"has format {fields['format']}, which registerTemplate of the format lacks"
        if problem:
            mapper.skip("template", name, row, problem)
            continue
        zones = list(fields.pop("zones"))
        del fields["download_error"]
        entry = {**fields, "zones": None if zones == [mapper.zone] else zones}
        mapper.put("templates", "template", name, row, entry)


def _spec(fields: Mapping[str, Any]) -> dict[str, Any]:
    """A policy's fields as ``snapshot_policy:`` writes them (the inverse of
    SnapshotPolicy.cloudstack_schedule)."""
    interval, parts = str(fields["interval"]), str(fields["schedule"]).split(":")
    when: dict[str, Any] = {"minute": int(parts[0])}
    if interval != "hourly":
        when = {"time": f"{int(parts[1]):02d}:{int(parts[0]):02d}"}
    if interval == "weekly":
        when["day_of_week"] = WEEKDAYS[int(parts[2]) - 1]
    if interval == "monthly":
        when["day_of_month"] = int(parts[2])
    timezone = None if fields["timezone"] == "UTC" else fields["timezone"]
    return {"schedule": interval, **when, "timezone": timezone, "keep": fields["keep"]}


def map_policies(mapper: Mapper) -> None:
    for row in [*mapper.found.rows.get("volume", []), *mapper.found.rows.get(ROOTS, [])]:
        mapper.reading.disk(row)
    # the shortest interval first: of a disk's several policies, that one is written
    for row in sorted(mapper.rows("snapshot_policy"), key=lambda r: str(r.get("intervaltype"))):
        fields = mapper.reading.snapshot_policy(row)
        on_root = "root_of" in fields
        section = "instances" if on_root else "volumes"
        name = fields["root_of"] if on_root else fields["volume"]
        label = f"{name}:root" if on_root else str(name)
        entry = mapper.sections.get(section, {}).get(mapper.key(section, name))
        if entry is None:
            mapper.skip("snapshot_policy", label, row, f"its {section[:-1]} was not imported")
        elif "snapshot_policy" in entry:
            why = "a second policy on the disk: the repo format takes one per volume"
            mapper.skip("snapshot_policy", label, row, why)
        else:
            spec = _spec(fields)
            entry["snapshot_policy"] = {k: v for k, v in spec.items() if v is not None}
