"""A project's ``members:`` against its live membership: adds, role changes and removals.

Each member is a change of kind ``project_member`` named ``account:<name>`` or
``user:<name>``, so a reviewer, a policy and apply see it like any other object. The
listed members are all of them; only the account that owns a project stackgate created
(``defaults.project_account``) stays without being listed. A role is Admin, Regular or one
of the project's custom project roles; updateProject sets only the first two, so apply makes a
change to or from a custom role by removing the member and adding it with ``projectroleid``.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

from app.cloudstack.model import Directory
from app.plan.model import Action, Change, FieldChange
from app.spec.diagnostics import Code, Diagnostic, Location, error
from app.spec.model import ROLE_TYPES, Member, Project
from app.spec.state import SourceMap

KIND = "project_member"


def member_problems(
    project: Project,
    directory: Directory,
    domain_id: str,
    sources: SourceMap,
    kept: str = "",
    roles: Collection[str] = (),
) -> list[Diagnostic]:
    """Members listed twice, unknown in the project's domain, with a role the project does not
    have (``roles``: its custom roles), or no Admin among them."""
    problems: list[Diagnostic] = []
    seen: dict[str, Location] = {}
    for index, member in enumerate(project.members or ()):
        where = sources.where(project.name, "members", index)
        if member.key in seen:
            problems.append(
                error(
                    Code.DUPLICATE_MEMBER,
                    f"{_said(member.key)} is listed twice in project '{project.name}'",
                    where,
                    f"first listed at {seen[member.key]}; keep one entry with its role",
                )
            )
            continue
        seen[member.key] = where
        if not _known(member, directory, domain_id):
            path = directory.domain_path(domain_id)
            problems.append(
                error(
                    Code.UNKNOWN_MEMBER,
                    f"{_said(member.key)} does not exist in domain '{path}'",
                    where,
                    "members are accounts and users of the project's own domain",
                )
            )
        if member.role not in (*ROLE_TYPES, *roles):
            problems.append(_unknown_role(project.name, member.role, roles, where))
    admins = [m for m in project.members or () if m.role == "Admin"]
    if project.members is not None and not admins and not kept:
        problems.append(
            error(
                Code.LAST_ADMIN,
                f"project '{project.name}' would have no Admin member",
                sources.where(project.name, "members"),
                "keep at least one member with role: Admin (CloudStack refuses to remove it)",
            )
        )
    return problems


def _unknown_role(project: str, role: str, roles: Collection[str], where: Location) -> Diagnostic:
    return error(
        Code.UNKNOWN_ROLE,
        f"project role '{role}' does not exist in project '{project}' "
        f"(its roles: {', '.join((*ROLE_TYPES, *sorted(roles)))})",
        where,
        "use one of its roles; a custom role is made with createProjectRole in the project",
    )


def _known(member: Member, directory: Directory, domain_id: str) -> bool:
    if member.account is not None:
        return (domain_id, member.account) in directory.accounts
    return (domain_id, str(member.user)) in directory.users


def _said(key: str) -> str:
    kind, _, name = key.partition(":")
    return f"{kind} '{name}'"


def member_changes(
    project: Project, live: Mapping[str, str], sources: SourceMap, kept: str = ""
) -> list[Change]:
    """Changes turning ``live`` (member key → role) into the listed members."""
    if project.members is None:
        return []
    changes = []
    listed: dict[str, tuple[Member, int]] = {}
    for index, member in enumerate(project.members):
        listed.setdefault(member.key, (member, index))
    for key, (member, index) in listed.items():
        where = sources.where(project.name, "members", index)
        role = live.get(key)
        if role == member.role:
            continue
        action = Action.CREATE if role is None else Action.UPDATE
        before = None if role is None else {"role": role}
        changed = () if role is None else (FieldChange("role", role, member.role),)
        changes.append(
            Change(
                action,
                KIND,
                project.name,
                key,
                before,
                {"role": member.role},
                changed,
                file=where.file,
                line=where.line,
            )
        )
    where = sources.where(project.name, "members")
    for key, role in sorted(live.items()):
        if key not in listed and key != f"account:{kept}":
            changes.append(
                Change(
                    Action.DELETE,
                    KIND,
                    project.name,
                    key,
                    {"role": role},
                    None,
                    reason="no longer listed in members",
                    lost=f"the {key.partition(':')[0]}'s access to the project",
                    file=where.file,
                    line=where.line,
                )
            )
    return changes
