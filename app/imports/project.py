"""The project's own settings as the repo writes them: display text, state, members with their
project roles, and limits, so an imported file describes the whole project, not only its
objects. Pure: listProjects and listProjectAccounts rows in, project-file values out."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from app.cloudstack.directory import member_key
from app.cloudstack.model import ProjectRef, Quota
from app.imports.model import Skipped
from app.spec.fields import UNLIMITED, is_name
from app.spec.model import Limits
from app.spec.units import Size

Row = Mapping[str, Any]
MEMBERS_LEFT_OUT = (
    "members: is the whole membership, so none is written while one cannot be: "
    "membership stays unmanaged"
)


def project_settings(
    ref: ProjectRef, members: Sequence[Row], roles: Mapping[str, str]
) -> tuple[dict[str, Any], list[Skipped]]:
    """``roles``: the project's custom project roles, id → name."""
    settings: dict[str, Any] = {}
    if ref.display_text and ref.display_text != ref.name:  # CloudStack's default is the name
        settings["display_text"] = ref.display_text
    if ref.state == "Suspended":  # an active project is the default: left as it is
        settings["state"] = "suspended"
    written, skipped = _members(ref, members, roles)
    if written:
        settings["members"] = written
    limits, problems = _limits(ref)
    if limits:
        settings["limits"] = limits
    return settings, skipped + problems


def _members(
    ref: ProjectRef, rows: Sequence[Row], roles: Mapping[str, str]
) -> tuple[list[dict[str, str]], list[Skipped]]:
    written, bad = [], []
    for row in sorted(rows, key=member_key):
        role = roles.get(str(row.get("projectroleid")), str(row.get("role") or "Regular"))
        if row.get("userid"):
            written.append({"user": str(row["username"]), "role": role})
        elif is_name(str(row["account"])):
            written.append({"account": str(row["account"]), "role": role})
        else:
            bad.append(Skipped("member", member_key(row), ref.id, _bad_account(row)))
    return ([] if bad else written), bad


def _bad_account(row: Row) -> str:
    return (
        f"account '{row['account']}' breaks the rule for names (lower-case letters, digits, "
        f"'.', '_' and '-'); {MEMBERS_LEFT_OUT}"
    )


def _limits(ref: ProjectRef) -> tuple[dict[str, Any], list[Skipped]]:
    """Each limit listProjects reports, in the format's order and units."""
    quotas = ref.usage.quotas if ref.usage else {}
    limits: dict[str, Any] = {}
    problems = []
    for resource in Limits.model_fields:
        quota = quotas.get(resource)
        if quota is None:
            continue
        value = _limit(quota)
        if value is None:
            reason = "a size limit of 0 cannot be written (sizes are above 0); left as it is"
            problems.append(Skipped("limit", resource, ref.id, reason))
        else:
            limits[resource] = value
    return limits, problems


def _limit(quota: Quota) -> int | str | None:
    """The repo's value for a limit in CloudStack's unit; None when the format cannot say it."""
    if quota.limit is None:
        return UNLIMITED
    if quota.unit == "count":
        return quota.limit
    if quota.limit == 0:
        return None
    return str(Size(quota.limit * (1024 if quota.unit == "GiB" else 1)))
