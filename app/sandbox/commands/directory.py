"""listDomains, listAccounts and listUsers over the seeded domain tree (the admin variants:
the sandbox's caller is a root admin, so it sees every domain)."""

from __future__ import annotations

from typing import Any

from app.sandbox.accounting import PREFIXES, domain_usage, limit
from app.sandbox.api import Ctx, command
from app.sandbox.commands.projects import limit_fields
from app.sandbox.listing import list_body, public
from app.sandbox.store import CloudState, Row
from app.sandbox.tenancy import in_domain


def _in_domain(ctx: Ctx, row: Row) -> bool:
    """domainid limits to that domain, or with isrecursive to it and the domains below."""
    domain = ctx.optional("domains", "domainid")
    return in_domain(ctx.state, row, domain, ctx.request.flag("isrecursive"))


def _domain_view(state: CloudState, domain: Row) -> Row:
    """DomainJoinDaoImpl.newDomainResponse: ``details`` defaults to all (ListDomainsCmd), so
    each domain carries its limits (none on ROOT) and what the projects in and below it hold."""
    caps = {kind: limit(state, domain["id"], kind) for kind in PREFIXES}
    used = {kind: domain_usage(state, domain, kind) for kind in PREFIXES}
    return {**public(domain), **limit_fields(caps, used)}


@command("listDomains")
def list_domains(ctx: Ctx) -> dict[str, Any]:
    level = ctx.request.number("level")
    return list_body(
        ctx.request,
        "domain",
        ctx.state.table("domains"),
        lambda row: level is None or row["level"] == level,
        lambda row: _domain_view(ctx.state, row),
    )


@command("listAccounts")
def list_accounts(ctx: Ctx) -> dict[str, Any]:
    kind = ctx.request.number("accounttype")
    return list_body(
        ctx.request,
        "account",
        ctx.state.table("accounts"),
        lambda row: _in_domain(ctx, row) and kind in (None, row["accounttype"]),
    )


@command("listUsers")
def list_users(ctx: Ctx) -> dict[str, Any]:
    username, account = ctx.request.get("username"), ctx.request.get("account")
    return list_body(
        ctx.request,
        "user",
        ctx.state.table("users"),
        lambda row: (
            _in_domain(ctx, row)
            and username in (None, row["username"])
            and account in (None, row["account"])
        ),
    )
