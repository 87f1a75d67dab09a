"""listResourceLimits and updateResourceLimit for a project or a domain
(ResourceLimitManagerImpl.searchForLimits / updateResourceLimit), and listConfigurations
for the max.project.* settings a new project's limits start from."""

from __future__ import annotations

from typing import Any

from app.sandbox.accounting import RESOURCE_TYPES, TYPE_BY_NAME, limit
from app.sandbox.api import Ctx, command
from app.sandbox.errors import (
    ACCOUNT_ERROR,
    CS_PERMISSION_DENIED,
    ApiError,
    invalid_parameter,
)
from app.sandbox.listing import list_body, page_body
from app.sandbox.seed import PROJECT_LIMIT_DEFAULTS, PROJECT_LIMIT_SETTINGS
from app.sandbox.store import CloudState, Row
from app.sandbox.tenancy import domain_of, domain_text


def _limit_row(state: CloudState, owner: Row, kind: int) -> Row:
    """A ResourceLimitResponse of a project (its domain shown) or of a domain."""
    is_project = "projectaccountname" in owner
    domain = domain_of(state, owner["domainid"]) if is_project else owner
    row: Row = {"projectid": owner["id"], "project": owner["name"]} if is_project else {}
    row.update(
        domainid=domain["id"],
        domain=domain["name"],
        domainpath=domain["path"],
        resourcetype=str(kind),
        resourcetypename=RESOURCE_TYPES[kind],
        max=limit(state, owner["id"], kind),
    )
    return row


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


def _owner(ctx: Ctx) -> Row | None:
    return ctx.project() or ctx.optional("domains", "domainid")


@command("listResourceLimits")
def list_resource_limits(ctx: Ctx) -> dict[str, Any]:
    owner = _owner(ctx)
    kind = _kind(ctx)
    if owner is None:
        return {}
    rows = [_limit_row(ctx.state, owner, k) for k in RESOURCE_TYPES if kind in (None, k)]
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
    maximum = ctx.request.number("max", -1)
    assert maximum is not None
    if maximum < -1:
        raise invalid_parameter(
            "Please specify either '-1' for an infinite limit, or a limit that is at least '0'."
        )
    owner = _owner(ctx)
    if owner is None:
        raise invalid_parameter(
            "AccountId or domainId have to be specified in order to update resource limit"
        )
    if "projectaccountname" not in owner:
        _check_domain(ctx.state, owner, kind, maximum)
    ctx.state.limits[(owner["id"], kind)] = maximum
    return {"resourcelimit": _limit_row(ctx.state, owner, kind)}


def _check_domain(state: CloudState, domain: Row, kind: int, maximum: int) -> None:
    """No limits on ROOT, and none above the parent domain's. A project's limit is not held to
    its domain's here: CloudStack checks the domain when resources are allocated."""
    if "parentdomainid" not in domain:
        raise ApiError(
            ACCOUNT_ERROR,
            f"Cannot update resource limit for ROOT domain {domain['_number']}, permission denied",
            CS_PERMISSION_DENIED,
        )
    parent = domain_of(state, domain["parentdomainid"])
    ceiling = limit(state, parent["id"], kind)
    if ceiling >= 0 and maximum > ceiling:
        raise invalid_parameter(
            f"{domain_text(parent)} has maximum allowed resource limit {ceiling} for "
            f"{RESOURCE_TYPES[kind]}, please specify a value less than or equal to {ceiling}"
        )


def _setting(kind: int) -> Row:
    """A ConfigurationResponse of one max.project.* setting (category "Project Defaults")."""
    name = PROJECT_LIMIT_SETTINGS[kind]
    value = str(PROJECT_LIMIT_DEFAULTS[kind])
    return {
        "id": name,
        "category": "Project Defaults",
        "name": name,
        "value": value,
        "defaultvalue": value,
        "description": f"The default maximum {RESOURCE_TYPES[kind]} of a project",
        "isdynamic": False,
    }


@command("listConfigurations")
def list_configurations(ctx: Ctx) -> dict[str, Any]:
    """searchForConfigurations: ``name`` matches as a substring, ``category`` exactly."""
    category = ctx.request.get("category")
    return list_body(
        ctx.request,
        "configuration",
        [_setting(kind) for kind in PROJECT_LIMIT_SETTINGS],
        lambda row: category in (None, row["category"]),
        lambda row: {k: v for k, v in row.items() if k != "id"},
        exact_name=False,
        by_id=False,
    )
