"""Project membership: accounts and users added, removed and listed with their project role
(AddAccountToProjectCmd, AddUserToProjectCmd, Delete*FromProjectCmd, ListProjectAccountsCmd →
ProjectManagerImpl), with project.invite.required off (its default): members join at once.
A member may also hold one of the project's own custom roles (createProjectRole /
listProjectRoles → ProjectRoleManagerImpl), given by ``projectroleid`` when it is added."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from app.sandbox.api import Answer, Ctx, command
from app.sandbox.errors import invalid_parameter
from app.sandbox.listing import list_body
from app.sandbox.store import Row
from app.sandbox.tenancy import (
    ROLE_TYPES,
    account_named,
    admins,
    domain_of,
    member,
    user_named,
)


def _membership_job(ctx: Ctx, change: Callable[[Row], None]) -> Answer:
    """Resolve the project before the job (its UUID), change it in the job; SuccessResponse."""
    project = ctx.entity("projects", "projectid")

    def run() -> None:
        change(project)

    return ctx.submit(run)


def _role(ctx: Ctx) -> str:
    role = ctx.request.get("roletype") or "Regular"
    if role not in ROLE_TYPES:
        raise invalid_parameter("Only Admin or Regular project role types are valid")
    return role


def _project_role(ctx: Ctx, project: Row) -> str | None:
    """The custom role ``projectroleid`` names; it must be one of this project's."""
    wanted = ctx.request.get("projectroleid")
    if wanted is None:
        return None
    if not any(r["id"] == wanted for r in project.get("_roles", ())):
        raise invalid_parameter("Invalid project role ID for the given project")
    return wanted


def _joined(account: Row, role: str, project_role: str | None, user: Row | None = None) -> Row:
    row = member(account, role, user)
    if project_role is not None:
        row["projectroleid"] = project_role
    return row


def _active(project: Row, who: str, why: str) -> None:
    if project["state"] != "Active":
        raise invalid_parameter(
            f"Can't add {who} to the specified project id in state={project['state']} as {why}"
        )


@command("addAccountToProject")
def add_account(ctx: Ctx) -> Answer:
    def change(project: Row) -> None:
        name = ctx.request.get("account")
        if not name and not ctx.request.get("email"):
            raise invalid_parameter("Either accountName or email is required")
        role = _role(ctx)
        _active(project, "account", "it's no longer active")
        if not name:
            raise invalid_parameter(
                "Account information is required for assigning account to the project"
            )
        account = account_named(ctx.state, name, project["domainid"])
        if account is None:
            raise invalid_parameter(f"Unable to find account name={name} in specified domain id")
        project_role = _project_role(ctx, project)
        if not any(m["accountid"] == account["id"] for m in project["_members"]):
            project["_members"].append(_joined(account, role, project_role))

    return _membership_job(ctx, change)


@command("addUserToProject")
def add_user(ctx: Ctx) -> Answer:
    def change(project: Row) -> None:
        role = _role(ctx)
        _active(project, "user", "it isn't currently active")
        user = user_named(ctx.state, ctx.request.require("username"), project["domainid"])
        if user is None:
            raise invalid_parameter("Invalid user ID provided")
        account = ctx.entity("accounts", "accountid", user["accountid"])
        if any(m["accountid"] == account["id"] and "userid" not in m for m in project["_members"]):
            raise invalid_parameter(
                f"User belongs to account {account['_number']} which is already part of the project"
            )
        project_role = _project_role(ctx, project)
        if not any(m.get("userid") == user["id"] for m in project["_members"]):
            project["_members"].append(_joined(account, role, project_role, user))

    return _membership_job(ctx, change)


@command("deleteAccountFromProject")
def delete_account(ctx: Ctx) -> Answer:
    def change(project: Row) -> None:
        name = ctx.request.require("account")
        if account_named(ctx.state, name, project["domainid"]) is None:
            number = domain_of(ctx.state, project["domainid"])["_number"]
            raise invalid_parameter(f"Unable to find account name={name} in domain id={number}")
        found = [m for m in project["_members"] if m["account"] == name and "userid" not in m]
        if not found:
            raise invalid_parameter(
                f"Account {name} is not assigned to the project with specified id"
            )
        if admins(project) == found:
            raise invalid_parameter(
                f"Unable to delete account {name} from the project with specified id as the "
                "account is the owner of the project"
            )
        project["_members"].remove(found[0])

    return _membership_job(ctx, change)


@command("deleteUserFromProject")
def delete_user(ctx: Ctx) -> Answer:
    user = ctx.entity("users", "userid")

    def change(project: Row) -> None:
        found = [m for m in project["_members"] if m.get("userid") == user["id"]]
        if not found:
            raise invalid_parameter(
                f"User {user['username']} is not assigned to the project with specified id"
            )
        project["_members"].remove(found[0])

    return _membership_job(ctx, change)


@command("listProjectAccounts")
def list_project_accounts(ctx: Ctx) -> dict[str, Any]:
    project = ctx.entity("projects", "projectid")
    domain = domain_of(ctx.state, project["domainid"])
    account, role = ctx.request.get("account"), ctx.request.get("role")
    rows = [
        {
            "id": str(i),
            "projectid": project["id"],
            "project": project["name"],
            "accounttype": ctx.state.table("accounts").rows[m["accountid"]]["accounttype"],
            "domainid": domain["id"],
            "domain": domain["name"],
            "domainpath": domain["path"],
            **m,
        }
        for i, m in enumerate(project["_members"])
        if (not account or m["account"] == account) and (not role or m["role"] == role)
    ]
    return list_body(
        ctx.request,
        "projectaccount",
        rows,
        render=lambda row: {k: v for k, v in row.items() if k != "id"},
        by_id=False,
    )


def _role_view(project: Row, role: Row) -> Row:
    """ProjectRoleResponse: id, name, description (when given) and the project's id."""
    view = {"id": role["id"], "name": role["name"], "projectid": project["id"]}
    return view | ({"description": role["description"]} if role.get("description") else {})


@command("createProjectRole")
def create_project_role(ctx: Ctx) -> dict[str, Any]:
    project = ctx.entity("projects", "projectid")
    role: Row = {"id": ctx.state.new_id(), "name": ctx.request.require("name")}
    if ctx.request.get("description"):
        role["description"] = ctx.request.get("description")
    project.setdefault("_roles", []).append(role)
    return {"projectrole": _role_view(project, role)}


@command("listProjectRoles")
def list_project_roles(ctx: Ctx) -> dict[str, Any]:
    """By project (required), then by projectroleid or by name (findProjectRolesByName)."""
    project = ctx.entity("projects", "projectid")
    wanted = ctx.request.get("projectroleid")
    return list_body(
        ctx.request,
        "projectrole",
        [_role_view(project, role) for role in project.get("_roles", ())],
        lambda row: wanted in (None, row["id"]),
        render=lambda row: row,
        by_id=False,
    )
