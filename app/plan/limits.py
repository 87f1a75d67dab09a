"""A project's ``limits:`` against the cloud's: each difference is an updateResourceLimit change."""

from __future__ import annotations

from app.cloudstack.model import ProjectUsage
from app.plan.model import Action, Change, FieldChange
from app.spec.diagnostics import Code, Diagnostic, error
from app.spec.fields import UNLIMITED
from app.spec.model import Project
from app.spec.state import SourceMap
from app.spec.units import Size

GIB_LIMITS = ("primary_storage", "secondary_storage")
UNKNOWN = "unknown"  # a new project's starting limit when the cloud's defaults were not read


def api_limit(resource: str, value: int | Size | str) -> int | None:
    """A repo limit in CloudStack's units (memory MiB, storage GiB); None for unlimited."""
    if value == UNLIMITED:
        return None
    if isinstance(value, Size):
        return value.mib // 1024 if resource in GIB_LIMITS else value.mib
    return int(value)


def limit_changes(
    project: Project, usage: ProjectUsage, sources: SourceMap, known: bool = True
) -> tuple[list[Change], list[Diagnostic]]:
    """``known``: whether the limits in ``usage`` are the cloud's (else each is ``UNKNOWN``)."""
    changes, problems = [], []
    for resource in type(project.limits).model_fields:
        value = getattr(project.limits, resource)
        if value is None:
            continue
        where = sources.where(project.name, "limits", resource)
        if resource in GIB_LIMITS and isinstance(value, Size) and value.mib % 1024:
            problems.append(
                error(
                    Code.DISK_SIZE, f"limit {resource} must be whole GiB", where, "round it to GiB"
                )
            )
            continue
        wanted = api_limit(resource, value)
        quota = usage.quotas.get(resource)
        current: int | str | None = UNKNOWN
        if known:
            current = quota.limit if quota else None
        if quota is not None and current == wanted:
            continue
        changes.append(
            Change(
                Action.UPDATE,
                "limits",
                project.name,
                resource,
                {"limit": current},
                {"limit": wanted},
                (FieldChange("limit", current, wanted),),
                file=where.file,
                line=where.line,
            )
        )
    return changes, problems
