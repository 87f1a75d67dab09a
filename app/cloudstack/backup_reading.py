"""Templates and snapshot policies described in the repo format's terms, for the inventory.

Templates are one list per project like every kind (listTemplates templatefilter=self), but
CloudStack lists a template once per zone it is registered in: the first row is filed and
the zones of the others are added to its ``zones``.

Snapshot policies cannot be listed by project: ListSnapshotPoliciesCmd reaches
SnapshotManagerImpl.listPoliciesforVolume, which needs a volume (or a policy id, which it
turns into the policy's volume) and otherwise refuses ("Unable to find a volume with id
null"). Listing every volume's policies would cost one call per volume, root disks
included. SnapshotPolicy is taggable (ResourceTag.ResourceObjectType), so the policies are
found with one paginated listTags (resourcetype=SnapshotPolicy) of the projects, and only
this repo's are read, one listSnapshotPolicies by id each, sent side by side: a project
without policies costs one call, not one per volume. Another repo's policy is known by its
tags alone. A policy no repo tagged is not seen; the repo's create of it then updates it in
place (createSnapshotPolicy keeps one policy per volume and interval), which adopts it.
Whatever changes a policy drops its tags (SnapshotManagerImpl.updateSnapshotPolicy deletes
them), so a policy changed outside stackgate is seen as missing and made again by the plan.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from app.cloudstack.client import CloudStackClient
from app.cloudstack.errors import ApiError

Row = Mapping[str, Any]
REPO_TAG, KEY_TAG = "stackgate.repo", "stackgate.key"  # as inventory.TAG_REPO, TAG_KEY
INTERVALS = ("hourly", "daily", "weekly", "monthly")  # DateUtil.IntervalType, by ordinal
POLICY = "snapshot_policy"
PARAM_ERROR = 431  # listSnapshotPolicies of a policy deleted since listTags saw it
# What listTemplates says of a download still on its way (TemplateJoinDaoImpl); any other
# status of a template not ready is the download's error string.
_PROGRESS = re.compile(r"^\d+% Downloaded$")
_WAITING = frozenset({"", "Processing", "Installing Template", "Download Complete"})


def download_error(row: Row) -> str | None:
    """The error text of a template's download that failed in this row's zone, else None."""
    status = str(row.get("status") or "")
    if row.get("isready") or _PROGRESS.match(status) or status in _WAITING:
        return None
    return status


def _text(row: Row, key: str) -> str:
    text = str(row.get(key) or "")
    return "" if text == row.get("name") else text


@dataclass
class BackupReading:
    """What the inventory's reading adds for templates and snapshot policies."""

    template_zones: dict[str, list[str]] = field(default_factory=dict)  # template id → zones
    disks: dict[str, dict[str, str]] = field(default_factory=dict)  # volume id → its name

    def template(self, row: Row) -> dict[str, Any]:
        return {
            "url": row.get("url"),
            "checksum": row.get("checksum") or None,
            "format": row.get("format"),
            "hypervisor": row.get("hypervisor"),
            "os_type": row.get("ostypename"),
            # the list every row of the template adds its zone to (see ``first_zone``)
            "zones": self.template_zones.setdefault(str(row["id"]), []),
            "description": _text(row, "displaytext"),
            # not its download status, which moves on between a plan and its apply (the
            # guard would take it for a change), but a failed download's error, which stays:
            # the repo wants none, so the plan registers the template again
            "download_error": download_error(row),
        }

    def first_zone(self, kind: str, row: Row) -> bool:
        """Whether the inventory files the row: a template's first zone only, its other
        zones added to the one object."""
        if kind != "template":
            return True
        zones = self.template_zones.setdefault(str(row["id"]), [])
        first = not zones
        if row.get("zonename") and row["zonename"] not in zones:
            bisect.insort(zones, str(row["zonename"]))
        return first

    def disk(self, row: Row) -> None:
        """A volume as a policy names it: a data volume by its name, a root disk by its VM."""
        if row.get("type") == "ROOT" and row.get("vmname"):
            self.disks[str(row["id"])] = {"root_of": str(row["vmname"])}
        elif row.get("type") != "ROOT":
            self.disks[str(row["id"])] = {"volume": str(row.get("name"))}

    def snapshot_policy(self, row: Row) -> dict[str, Any]:
        interval = str(row.get("intervaltype"))
        return {
            **self.disks.get(str(row.get("volumeid")), {"volume": str(row.get("volumeid"))}),
            "interval": INTERVALS[int(interval)] if interval.isdigit() else interval.lower(),
            "schedule": row.get("schedule"),
            "timezone": row.get("timezone"),
            "keep": int(row.get("maxsnaps") or 0),
        }


def policy_rows(client: CloudStackClient, scope: Mapping[str, str], repo: str) -> list[Row]:
    """The projects' snapshot policies that carry stackgate's tags: this repo's read whole
    (one call each, side by side), another repo's as their tags. Each row carries its
    project's id, which a policy's answer does not."""
    tags: dict[str, list[Row]] = {}
    listed = client.list("listTags", resourcetype="SnapshotPolicy", **{"listall": "true", **scope})
    for tag in listed:
        tags.setdefault(str(tag["resourceid"]), []).append(tag)
    rows: list[Row] = []
    ours: list[tuple[str, Row]] = []
    for policy_id, found in sorted(tags.items()):
        pairs = {str(tag["key"]): str(tag["value"]) for tag in found}
        owner: Row = {"projectid": found[0].get("projectid"), "tags": found}
        if KEY_TAG not in pairs and REPO_TAG not in pairs:
            continue  # another tool's tags only: no repo's, and not described without a call
        if pairs.get(REPO_TAG) == repo and pairs.get(KEY_TAG, "").startswith(POLICY + "/"):
            ours.append((policy_id, owner))
        else:
            rows.append({"id": policy_id, **owner})
    reads = [partial(_policy, client, policy_id) for policy_id, _ in ours]
    for (policy_id, project), policies in zip(ours, client.gather(reads), strict=True):
        rows += [{**p, **project} for p in policies if str(p.get("id")) == policy_id]
    return rows


def _policy(client: CloudStackClient, policy_id: str) -> list[dict[str, Any]]:
    try:
        return client.list("listSnapshotPolicies", id=policy_id)
    except ApiError as exc:
        if exc.errorcode == PARAM_ERROR:
            return []  # deleted (with its volume) since listTags saw it
        raise
