"""Projects with their limits and counts, and the resource-limit commands."""

from __future__ import annotations

from typing import Any

from app.cloudstack.sandbox.accounting import (
    GIB,
    RESOURCE_TYPES,
    STORAGE_TYPES,
    TYPE_BY_NAME,
    limit,
    live_vms,
    usage,
)
from app.cloudstack.sandbox.api import Answer, Ctx, command
from app.cloudstack.sandbox.errors import invalid_parameter
from app.cloudstack.sandbox.listing import list_body, page_body, public
from app.cloudstack.sandbox.seed import PROJECT_LIMIT_DEFAULTS, project_row
from app.cloudstack.sandbox.store import CloudState, Row

# listProjects field prefix per resource type (AccountJoinDaoImpl.setResourceLimits)
PREFIXES = {
    0: "vm",
    1: "ip",
    2: "volume",
    3: "snapshot",
    4: "template",
    6: "network",
    7: "vpc",
    8: "cpu",
    9: "memory",
    10: "primarystorage",
    11: "secondarystorage",
}


def project_view(state: CloudState, project: Row) -> Row:
    """The project: ``*limit``/``*available`` are strings ("Unlimited"), ``*total`` numbers."""
    view = public(project)
    used = usage(state, project["id"])
    for kind, prefix in PREFIXES.items():
        cap = limit(state, project["id"], kind)
        total = used[kind] // GIB if kind in STORAGE_TYPES else used[kind]
        view[f"{prefix}limit"] = "Unlimited" if cap < 0 else str(cap)
        view[f"{prefix}total"] = float(total) if kind == 11 else total
        view[f"{prefix}available"] = "Unlimited" if cap < 0 else str(max(cap - total, 0))
    vms = live_vms(state, project["id"])
    view["vmrunning"] = sum(1 for vm in vms if vm["state"] == "Running")
    view["vmstopped"] = sum(1 for vm in vms if vm["state"] == "Stopped")
    return view


@command("listProjects")
def list_projects(ctx: Ctx) -> dict[str, Any]:
    state = ctx.request.get("state")
    rows = ctx.state.table("projects")
    return list_body(
        ctx.request,
        "project",
        rows,
        lambda row: not state or row["state"] == state,
        render=lambda row: project_view(ctx.state, row),
    )


@command("createProject")
def create_project(ctx: Ctx) -> Answer:
    name = ctx.request.require("name")
    if any(project["name"] == name for project in ctx.state.table("projects")):
        raise invalid_parameter(
            f"Project with name {name} already exists in domain id={ctx.state.account.domain_id}"
        )
    row = ctx.state.table("projects").add(
        project_row(ctx.state, name, ctx.request.get("displaytext"))
    )
    for kind, default in PROJECT_LIMIT_DEFAULTS.items():
        ctx.state.limits[(row["id"], kind)] = default

    def run() -> tuple[str, Row]:
        return "project", project_view(ctx.state, row)

    return ctx.submit(run, created=row)


def _limit_row(state: CloudState, project: Row, kind: int) -> Row:
    return {
        "projectid": project["id"],
        "project": project["name"],
        "domainid": state.account.domain_id,
        "domain": state.account.domain,
        "domainpath": "ROOT",
        "resourcetype": str(kind),
        "resourcetypename": RESOURCE_TYPES[kind],
        "max": limit(state, project["id"], kind),
    }


def _kind(ctx: Ctx) -> int | None:
    name = ctx.request.get("resourcetypename")
    if name:
        if name not in TYPE_BY_NAME:
            raise invalid_parameter(f"Please specify a valid resource type name: {name}")
        return TYPE_BY_NAME[name]
    kind = ctx.request.number("resourcetype")
    if kind is not None and kind not in RESOURCE_TYPES:
        raise invalid_parameter("Please specify valid resource type")
    return kind


@command("listResourceLimits")
def list_resource_limits(ctx: Ctx) -> dict[str, Any]:
    project = ctx.project()
    kind = _kind(ctx)
    if project is None:
        return {}
    rows = [_limit_row(ctx.state, project, k) for k in RESOURCE_TYPES if kind in (None, k)]
    body = list_body(
        ctx.request,
        "resourcelimit",
        [{"id": str(i), **r} for i, r in enumerate(rows)],
        render=lambda row: {k: v for k, v in row.items() if k != "id"},
    )
    items = body.get("resourcelimit", [])  # setResponses(list): count = items on this page
    return page_body("resourcelimit", len(items), items)


@command("updateResourceLimit")
def update_resource_limit(ctx: Ctx) -> dict[str, Any]:
    kind = ctx.request.number("resourcetype")
    if kind not in RESOURCE_TYPES:
        raise invalid_parameter("Please specify valid resource type")
    project = ctx.project()
    if project is None:
        raise invalid_parameter("stackgate's sandbox only manages project limits; pass projectid")
    maximum = ctx.request.number("max", -1)
    assert maximum is not None
    if maximum < -1:
        raise invalid_parameter(
            "Please specify either '-1' for an infinite limit, or a limit that is at least '0'."
        )
    ctx.state.limits[(project["id"], kind)] = maximum
    return {"resourcelimit": _limit_row(ctx.state, project, kind)}
