"""The project itself and its members: createProject, updateProject, suspend/activate,
deleteProject, and add/remove/role changes of accounts and users.

Every call goes through the cloud's tenancy client (its privileged key when configured) and
is awaited with it, since a job is queried by the account that started it; a step killed
while its call was out is looked for (``find``) before it is sent again, so a project is
never created twice: CloudStack refuses a second project of the same name in a domain, and
``find`` takes the one there.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from app.apply.operations.base import Context, Submitted
from app.apply.operations.common import Operations, Unresolved, after, live_id
from app.apply.operations.tags import sync_tags, wanted_tags
from app.cloudstack.catalog import tag_map
from app.cloudstack.client import CloudStackClient
from app.plan.model import Action, Change
from app.spec.model import ROLE_TYPES

STATE_COMMANDS = {"suspended": "suspendProject", "active": "activateProject"}


def _admin(ctx: Context) -> CloudStackClient:
    return ctx.tenancy or ctx.client


def _listed(ctx: Context, **params: Any) -> list[dict[str, Any]]:
    return _admin(ctx).list("listProjects", listall="true", **params)


class CreateProject:
    def submit(self, ctx: Context, change: Change) -> Submitted:
        result = _admin(ctx).run("createProject", **self._params(ctx, change))
        return Submitted(resource_id=str(result.get("id") or result["project"]["id"]))

    @staticmethod
    def _params(ctx: Context, change: Change) -> dict[str, Any]:
        wanted = after(change)
        domain_id = ctx.directory.domains.get(wanted["domain"]) if ctx.directory else None
        if domain_id is None:
            raise Unresolved(ctx.client.cloud, "createProject", f"no domain {wanted['domain']}")
        return {
            "name": change.name,
            "displaytext": wanted["display_text"],
            "domainid": domain_id,
            "account": wanted["owner"],
        }

    def finish(
        self, ctx: Context, change: Change, submitted: Submitted, _result: dict[str, Any]
    ) -> str | None:
        project_id = str(submitted.resource_id)
        rows = _listed(ctx, id=project_id)
        if not rows:
            raise Unresolved(ctx.client.cloud, "createProject", f"{project_id} is not listed")
        ctx.project_id, ctx.domain_id = project_id, str(rows[0].get("domainid", ""))
        tagging = replace(ctx, client=_admin(ctx))
        sync_tags(tagging, "Project", project_id, tag_map(rows[0]), wanted_tags(ctx, change))
        if after(change).get("state") == "suspended" and rows[0].get("state") != "Suspended":
            _admin(ctx).run("suspendProject", id=project_id)
        return project_id

    def find(self, ctx: Context, change: Change) -> str | None:
        domain_id = self._params(ctx, change)["domainid"]
        rows = _listed(ctx, name=change.name, domainid=domain_id)
        return next((str(r["id"]) for r in rows if r["name"] == change.name), None)


class UpdateProject:
    def submit(self, ctx: Context, change: Change) -> Submitted:
        project_id = live_id(ctx, change, "updateProject")
        fields = {field.field: field.after for field in change.changed}
        if "display_text" in fields:
            _admin(ctx).run("updateProject", id=project_id, displaytext=fields["display_text"])
        if "state" in fields:
            _admin(ctx).run(STATE_COMMANDS[str(fields["state"])], id=project_id)
        return Submitted(resource_id=project_id)

    def finish(
        self, _ctx: Context, _change: Change, submitted: Submitted, _result: dict[str, Any]
    ) -> str | None:
        return submitted.resource_id

    def find(self, _ctx: Context, _change: Change) -> str | None:
        return None  # both calls may be sent again: they set values


class DeleteProject:
    def submit(self, ctx: Context, change: Change) -> Submitted:
        _admin(ctx).run("deleteProject", id=live_id(ctx, change, "deleteProject"))
        return Submitted()

    def finish(
        self, _ctx: Context, _change: Change, _submitted: Submitted, _result: dict[str, Any]
    ) -> str | None:
        return None

    def find(self, ctx: Context, change: Change) -> str | None:
        return next((str(r["id"]) for r in _listed(ctx, id=change.live_id)), None)


def _project_role(ctx: Context, role: str) -> str | None:
    """The id of the project's custom role of that name; None for Admin and Regular."""
    if role in ROLE_TYPES:
        return None
    rows = _admin(ctx).list("listProjectRoles", projectid=ctx.project_id, name=role)
    found = next((str(r["id"]) for r in rows if r.get("name") == role), None)
    if found is None:
        raise Unresolved(ctx.client.cloud, "addAccountToProject", f"no project role '{role}'")
    return found


def _role_params(ctx: Context, role: str) -> dict[str, str]:
    """A custom role is a Regular member holding the project role (projectroleid)."""
    custom = _project_role(ctx, role)
    return (
        {"roletype": role} if custom is None else {"roletype": "Regular", "projectroleid": custom}
    )


class Member:
    """One account or user of the project: added, its role changed, or removed. updateProject
    sets only Admin or Regular, so a change to or from a custom role removes the member (if
    still there: a resumed step) and adds it again with its ``projectroleid``."""

    def submit(self, ctx: Context, change: Change) -> Submitted:
        kind, _, name = change.name.partition(":")
        role = str(after(change).get("role")) if change.after else ""
        rejoin = change.action is Action.UPDATE and not _plain(change)
        if change.action is Action.DELETE or (rejoin and self._held(ctx, change)):
            self._remove(ctx, kind, name)
        if change.action is Action.CREATE or rejoin:
            params = {"projectid": ctx.project_id, **_role_params(ctx, role)}
            if kind == "account":
                _admin(ctx).run("addAccountToProject", account=name, **params)
            else:
                _admin(ctx).run("addUserToProject", username=name, **params)
        elif change.action is Action.UPDATE:
            who = {"account": name} if kind == "account" else {"userid": self._user(ctx, name)}
            _admin(ctx).run(
                "updateProject", id=ctx.project_id, **who, roletype=role, swapowner="false"
            )
        return Submitted(resource_id=ctx.project_id)

    def _remove(self, ctx: Context, kind: str, name: str) -> None:
        project = {"projectid": ctx.project_id}
        if kind == "account":
            _admin(ctx).run("deleteAccountFromProject", **project, account=name)
        else:
            _admin(ctx).run("deleteUserFromProject", **project, userid=self._user(ctx, name))

    def _held(self, ctx: Context, change: Change) -> list[tuple[Any, Any]]:
        """The member's (role, projectroleid) rows in the project; empty when not a member."""
        rows = _admin(ctx).list("listProjectAccounts", projectid=ctx.project_id)
        kind, _, name = change.name.partition(":")
        user = kind == "user"
        return [
            (r.get("role"), r.get("projectroleid"))
            for r in rows
            if r.get("username" if user else "account") == name and bool(r.get("userid")) == user
        ]

    @staticmethod
    def _user(ctx: Context, name: str) -> str:
        found = ctx.directory.users.get((ctx.domain_id, name)) if ctx.directory else None
        if found is None:
            raise Unresolved(ctx.client.cloud, "updateProject", f"no user '{name}' in the domain")
        return found

    def finish(
        self, ctx: Context, change: Change, _submitted: Submitted, _result: dict[str, Any]
    ) -> str | None:
        return None if change.action is Action.DELETE else ctx.project_id

    def find(self, ctx: Context, change: Change) -> str | None:
        """The project when the member is already as wanted (for a removal: still there)."""
        held = self._held(ctx, change)
        if change.action is Action.DELETE:
            return ctx.project_id if held else None
        role = str(after(change).get("role"))
        custom = _project_role(ctx, role)
        wanted = (role, None) if custom is None else ("Regular", custom)
        return ctx.project_id if wanted in held else None


def _plain(change: Change) -> bool:
    """A role change between Admin and Regular, which updateProject makes in place."""
    return all(f.before in ROLE_TYPES and f.after in ROLE_TYPES for f in change.changed)


OPERATIONS: Operations = {
    ("project", Action.CREATE): CreateProject(),
    ("project", Action.UPDATE): UpdateProject(),
    ("project", Action.DELETE): DeleteProject(),
    **{("project_member", action): Member() for action in (Action.CREATE, Action.UPDATE)},
    ("project_member", Action.DELETE): Member(),
}
