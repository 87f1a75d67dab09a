"""Projects with their limits and counts, and the resource-limit commands."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.sandbox.accounting import (
    GIB,
    PREFIXES,
    STORAGE_TYPES,
    limit,
    live_vms,
    usage,
)
from app.sandbox.api import Answer, Ctx, command
from app.sandbox.errors import invalid_parameter
from app.sandbox.listing import list_body, public
from app.sandbox.seed import PROJECT_LIMIT_DEFAULTS, project_row
from app.sandbox.sg_rows import add_default_group
from app.sandbox.store import CloudState, Row
from app.sandbox.tenancy import account_named, domain_of, domain_text, in_domain


def limit_fields(caps: Mapping[int, int], used: Mapping[int, int]) -> Row:
    """``*limit``/``*available`` as strings ("Unlimited"), ``*total`` as numbers, storage in
    GiB: the same fields for a project (AccountJoinDaoImpl) and a domain (DomainJoinDaoImpl)."""
    view: Row = {}
    for kind, prefix in PREFIXES.items():
        cap = caps[kind]
        total = used[kind] // GIB if kind in STORAGE_TYPES else used[kind]
        view[f"{prefix}limit"] = "Unlimited" if cap < 0 else str(cap)
        view[f"{prefix}total"] = float(total) if kind == 11 else total
        view[f"{prefix}available"] = "Unlimited" if cap < 0 else str(max(cap - total, 0))
    return view


def project_view(state: CloudState, project: Row) -> Row:
    """The project with its limits and counts."""
    view = public(project)
    caps = {kind: limit(state, project["id"], kind) for kind in PREFIXES}
    view.update(limit_fields(caps, usage(state, project["id"])))
    vms = live_vms(state, project["id"])
    view["vmrunning"] = sum(1 for vm in vms if vm["state"] == "Running")
    view["vmstopped"] = sum(1 for vm in vms if vm["state"] == "Stopped")
    return view


@command("listProjects")
def list_projects(ctx: Ctx) -> dict[str, Any]:
    state = ctx.request.get("state")
    domain, recursive = ctx.optional("domains", "domainid"), ctx.request.flag("isrecursive")
    rows = ctx.state.table("projects")
    return list_body(
        ctx.request,
        "project",
        rows,
        lambda row: (
            (not state or row["state"] == state) and in_domain(ctx.state, row, domain, recursive)
        ),
        render=lambda row: project_view(ctx.state, row),
    )


@command("createProject")
def create_project(ctx: Ctx) -> Answer:
    """CreateProjectCmd.create → ProjectManagerImpl.createProject (checked before the job),
    then execute → enableProject in the job."""
    name = ctx.request.require("name")
    owner, user = _owner(ctx)  # the name is checked in the finalized owner's domain (the same)
    if any(p["name"] == name and p["domainid"] == owner["domainid"] for p in _projects(ctx)):
        number = domain_of(ctx.state, owner["domainid"])["_number"]
        raise invalid_parameter(f"Project with name {name} already exists in domain id={number}")
    row = ctx.state.table("projects").add(
        project_row(ctx.state, name, ctx.request.get("displaytext"), owner, user)
    )
    for kind, default in PROJECT_LIMIT_DEFAULTS.items():  # max.project.* settings
        ctx.state.limits[(row["id"], kind)] = default
    add_default_group(ctx.state, row)  # the project account's (AccountManagerImpl.createAccount)

    def run() -> tuple[str, Row]:
        return "project", project_view(ctx.state, row)

    return ctx.submit(run, created=row)


def _projects(ctx: Ctx) -> list[Row]:
    return list(ctx.state.table("projects"))


def _owner(ctx: Ctx) -> tuple[Row, Row | None]:
    """CreateProjectCmd.getEntityOwnerId's checks, then the owner createProject gets from
    AccountManagerImpl.finalizeOwner: ``account`` (the caller's name by default) in
    ``domainid`` (the caller's by default); with ``userid``, that user's account."""
    name, domain = ctx.request.get("account"), ctx.optional("domains", "domainid")
    if name is not None and domain is None:
        raise invalid_parameter("Account name and domain id must be specified together")
    user, account = ctx.optional("users", "userid"), ctx.optional("accounts", "accountid")
    if user is not None and (account is None or domain is None):
        raise invalid_parameter("Account ID and Domain ID must be specified with userID")
    domain = domain or domain_of(ctx.state, ctx.state.account.domain_id)
    owner = account_named(ctx.state, name or ctx.state.account.name, domain["id"])
    if owner is None:
        raise invalid_parameter(
            f"Unable to find account {name or ctx.state.account.name} in domain "
            f"{domain_text(domain)}"
        )
    if user is None or account is None:
        return owner, None
    if user["accountid"] != account["id"] or user["domainid"] != domain["id"]:
        raise invalid_parameter("User doesn't belong to the specified account or domain")
    return account, user
