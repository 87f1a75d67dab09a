"""A project's life after createProject: updateProject (names, display text, member roles),
suspendProject / activateProject and deleteProject, as ProjectManagerImpl runs them in the job."""

from __future__ import annotations

from collections.abc import Callable

from app.sandbox.api import Answer, Ctx, command
from app.sandbox.commands.projects import project_view
from app.sandbox.errors import invalid_parameter, runtime_error
from app.sandbox.store import KINDS, Row, owner
from app.sandbox.tenancy import ROLE_TYPES, account_named, admins

# deleteProject's check, in its order, with each kind's getEntityType().getSimpleName();
# volumes count only when detached (VolumeDao.findDetachedByAccount)
BLOCKERS = (("vms", "VirtualMachine"), ("volumes", "Volume"), ("networks", "Network"))
CATALOG = ("zones", "service_offerings", "disk_offerings", "templates", "network_offerings")


def _project_job(ctx: Ctx, change: Callable[[Row], object]) -> Answer:
    """Resolve the project before the job (its UUID), change it in the job, answer the project."""
    project = ctx.entity("projects", "id")

    def run() -> tuple[str, Row]:
        change(project)
        return "project", project_view(ctx.state, project)

    return ctx.submit(run, created=project)


@command("updateProject")
def update_project(ctx: Ctx) -> Answer:
    """UpdateProjectCmd.execute → updateProject(id, name, displaytext, account) while swapowner
    is true (its default), else updateProject(..., account, userid, roletype); one transaction:
    a refusal changes nothing."""
    user = ctx.optional("users", "userid")
    swap = ctx.request.flag("swapowner", True)

    def change(project: Row) -> None:
        if ctx.request.get("account") and user is not None:
            raise invalid_parameter(
                "Account name and user ID are mutually exclusive. Provide either account "
                "nameto update account or user ID to update the user of the project"
            )
        role = "Admin" if swap else ctx.request.get("roletype") or "Regular"
        if role not in ROLE_TYPES:
            raise invalid_parameter("Only Admin or Regular project role types are valid")
        target = _target(ctx, project, None if swap else user)
        if target is not None and swap:  # the owner hands over: the old one becomes Regular
            for owner in [m for m in admins(project) if "userid" not in m][:1]:
                owner["role"] = "Regular"
        elif target in admins(project) and len(admins(project)) == 1 and role != "Admin":
            raise invalid_parameter("Cannot demote the only admin of the project")
        if target is not None:
            target["role"] = role
        for field in ("name", "displaytext"):
            if ctx.request.get(field):
                project[field] = ctx.request.get(field)

    return _project_job(ctx, change)


def _target(ctx: Ctx, project: Row, user: Row | None) -> Row | None:
    """The membership row updateProject changes: by account name, or by user id."""
    name = ctx.request.get("account")
    if name:
        account = account_named(ctx.state, name, project["domainid"])
        if account is None:
            raise invalid_parameter(
                f"Unable to find account name={name} in domain id={_number(ctx, project)}"
            )
        found: Row | None = next(
            (m for m in project["_members"] if m["account"] == name and "userid" not in m), None
        )
        if found is None:
            raise invalid_parameter(
                f"Account {name} doesn't belong to the project. Add it to the project first "
                "and then change the project's ownership"
            )
        return found
    if user is not None:
        mine: Row | None = next(
            (m for m in project["_members"] if m.get("userid") == user["id"]), None
        )
        if mine is None:
            raise invalid_parameter(
                f"User {user['username']} doesn't belong to the project. Add it to the project "
                "first and then change the project's ownership"
            )
        return mine
    return None


def _number(ctx: Ctx, project: Row) -> int:
    domain = ctx.state.table("domains").get(project["domainid"])
    return int(domain["_number"]) if domain else 1


@command("suspendProject")
def suspend_project(ctx: Ctx) -> Answer:
    return _project_job(ctx, lambda project: project.update(state="Suspended"))


@command("activateProject")
def activate_project(ctx: Ctx) -> Answer:
    """Active stays Active; only Suspended is activated (the sandbox has no Disabled)."""
    return _project_job(ctx, lambda project: project.update(state="Active"))


@command("deleteProject")
def delete_project(ctx: Ctx) -> Answer:
    """Refused while VMs, detached volumes or networks remain, unless cleanup=true, which
    removes everything the project owns (ProjectManagerImpl.deleteProject → cleanupAccount)."""
    project = ctx.entity("projects", "id")
    cleanup = ctx.request.flag("cleanup")

    def run() -> None:
        if not cleanup:
            _refuse_while_owning(ctx, project)
        for kind in KINDS:
            if kind in CATALOG or kind == "projects":
                continue
            for row in ctx.state.table(kind).in_project(project["id"]):
                if kind == "ips":
                    ctx.state.public_pool.append(f"{row['zoneid']}/{row['ipaddress']}")
                ctx.state.table(kind).remove(row["id"])
        ctx.state.table("projects").remove(project["id"])
        for key in [key for key in ctx.state.limits if key[0] == project["id"]]:
            del ctx.state.limits[key]
        return None

    return ctx.submit(run)


def _refuse_while_owning(ctx: Ctx, project: Row) -> None:
    for kind, entity in BLOCKERS:
        rows = [
            row
            for row in ctx.state.table(kind).in_project(project["id"])
            if owner(row) == project["id"]
            and not (kind == "volumes" and row.get("virtualmachineid"))
        ]
        if rows:
            raise runtime_error(
                f"Can't delete the project yet because it has {len(rows)} {entity} to clean up"
            )
