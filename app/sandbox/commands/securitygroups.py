"""Security groups (SecurityGroupManagerImpl): create, list and delete; their rules are in
sgrules.py."""

from __future__ import annotations

from typing import Any

from app.sandbox.api import Ctx, command
from app.sandbox.errors import (
    RESOURCE_IN_USE,
    ApiError,
    invalid_parameter,
)
from app.sandbox.listing import list_body, visible
from app.sandbox.security_groups import group_named, group_view, rules_of
from app.sandbox.sg_rows import DEFAULT_GROUP, account_owner, group_row
from app.sandbox.store import Row


def _account_number(ctx: Ctx, project: Row | None) -> int:
    """The owner's internal account id, as getEntityOwnerId gives it to error texts."""
    if project is not None:
        return int(project["_account_number"])
    account = ctx.state.table("accounts").get(ctx.state.account.account_id) or {}
    return int(account.get("_number", 2))


# CreateSecurityGroupCmd (BaseCmd, sync): SecurityGroupManagerImpl.createSecurityGroup.
@command("createSecurityGroup")
def create_security_group(ctx: Ctx) -> dict[str, Any]:
    name = ctx.request.require("name")
    if not name.strip():
        raise invalid_parameter("Security group name cannot be empty")
    project = ctx.project()
    if group_named(ctx.state, name, project) is not None:
        raise invalid_parameter(
            f"Unable to create security group, a group with name {name} already exists."
        )
    row = group_row(
        ctx.state, name, ctx.request.get("description"), account_owner(ctx.state, project)
    )
    group = ctx.state.table("security_groups").add(row)
    return {"securitygroup": group_view(ctx.state, group)}


# ListSecurityGroupsCmd (BaseListTaggedResourcesCmd, sync).
@command("listSecurityGroups")
def list_security_groups(ctx: Ctx) -> dict[str, Any]:
    name, vm = ctx.request.get("securitygroupname"), ctx.request.get("virtualmachineid")

    def keep(group: Row) -> bool:
        shown = group_view(ctx.state, group)
        return (not name or group["name"] == name) and (not vm or vm in shown["virtualmachineids"])

    rows = visible(ctx.state, ctx.request, ctx.state.table("security_groups"))
    return list_body(
        ctx.request, "securitygroup", rows, keep, render=lambda g: group_view(ctx.state, g)
    )


def group_by_id_or_name(ctx: Ctx, params: tuple[str, str], texts: tuple[str, str, str]) -> Row:
    """The group ``params`` name, by id or by name in the owner's account; ``texts`` are the
    command's refusals when both, an unknown name, or neither are given."""
    request = ctx.request
    by_id, by_name = (request.get(param) for param in params)
    if by_id and by_name:
        raise invalid_parameter(texts[0])
    project = ctx.project()
    if by_name:
        group = group_named(ctx.state, by_name, project)
        if group is None:
            raise invalid_parameter(texts[1].format(by_name, _account_number(ctx, project)))
        return group
    if not by_id:
        raise invalid_parameter(texts[2])
    return ctx.entity("security_groups", params[0])


# DeleteSecurityGroupCmd (BaseCmd, sync): SecurityGroupManagerImpl.deleteSecurityGroup; its
# ResourceInUseException answers 536.
@command("deleteSecurityGroup")
def delete_security_group(ctx: Ctx) -> dict[str, Any]:
    group = group_by_id_or_name(
        ctx,
        ("id", "name"),
        (
            "name and id parameters are mutually exclusive",
            "Unable to find security group by name {} for the account id={}",
            "Either id or name parameter is required by deleteSecurityGroup command",
        ),
    )
    if group["name"].lower() == DEFAULT_GROUP:
        raise invalid_parameter("The network group default is reserved")
    state = ctx.state
    if any(rule.get("_allowed") == group["id"] for rule in state.table("security_group_rules")):
        raise ApiError(
            RESOURCE_IN_USE,
            "Cannot delete group when there are security rules that allow this group",
        )
    if group_view(state, group)["virtualmachinecount"]:
        raise ApiError(RESOURCE_IN_USE, "Cannot delete group when it's in use by virtual machines")
    for rule in rules_of(state, group):
        state.table("security_group_rules").remove(rule["id"])
    state.table("security_groups").remove(group["id"])
    return {"success": True}
