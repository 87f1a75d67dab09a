"""Who may own and join projects: domains, accounts, users, and each project's members.

Read only for plans that create projects or manage membership: three paginated list calls
per cloud (listDomains, listAccounts, listUsers) and one listProjectAccounts and one
listProjectRoles per project whose members the repo lists, so a plan costs O(projects)
calls, not O(members); they are sent side by side, within the cloud's bound.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import partial

from app.cloudstack.client import CloudStackClient
from app.cloudstack.errors import CloudStackError, Unreachable
from app.cloudstack.model import Directory, ProjectDefaults

# The global settings a new project's account takes its limits from (Config.java; the
# project's account reads them in ResourceLimitManagerImpl when it has no limit of its own)
PROJECT_SETTINGS = {
    "max.project.user.vms": "instances",
    "max.project.public.ips": "public_ips",
    "max.project.volumes": "volumes",
    "max.project.snapshots": "snapshots",
    "max.project.templates": "templates",
    "max.project.networks": "networks",
    "max.project.vpcs": "vpcs",
    "max.project.cpus": "cpu",
    "max.project.memory": "memory",
    "max.project.primary.storage": "primary_storage",
    "max.project.secondary.storage": "secondary_storage",
}


def member_key(row: Mapping[str, object]) -> str:
    """A listProjectAccounts row as the plan names the member: 'user:<name>' or 'account:<name>'."""
    return f"user:{row['username']}" if row.get("userid") else f"account:{row['account']}"


def read_directory(client: CloudStackClient) -> Directory:
    """The three lists, sent side by side."""
    domain_rows, account_rows, user_rows = client.gather(
        [
            partial(client.list, "listDomains", listall="true"),
            partial(client.list, "listAccounts", listall="true", isrecursive="true"),
            partial(client.list, "listUsers", listall="true", isrecursive="true"),
        ]
    )
    domains = {str(d["path"]): str(d["id"]) for d in domain_rows}
    accounts = frozenset((str(a["domainid"]), str(a["name"])) for a in account_rows)
    users = {(str(u["domainid"]), str(u["username"])): str(u["id"]) for u in user_rows}
    return Directory(domains, accounts, users)


def read_project_defaults(client: CloudStackClient) -> ProjectDefaults:
    """One listConfigurations (name matches as a substring, searchForConfigurations); it is
    a root admin's command, so a refusal is recorded, not raised. An outage still raises."""
    try:
        rows = client.list("listConfigurations", name="max.project.")
    except Unreachable:
        raise
    except CloudStackError as error:
        return ProjectDefaults({}, str(error))
    limits = {
        PROJECT_SETTINGS[str(row["name"])]: _limit(row.get("value"))
        for row in rows
        if str(row.get("name")) in PROJECT_SETTINGS
    }
    return ProjectDefaults(limits)


def _limit(value: object) -> int | None:
    number = int(str(value)) if str(value).lstrip("-").isdigit() else -1
    return None if number < 0 else number


def read_members(
    client: CloudStackClient, projects: Iterable[tuple[str, str]]
) -> tuple[dict[str, dict[str, str]], dict[str, tuple[str, ...]]]:
    """Project name → member key → project role, and project name → its custom project roles,
    for each (name, id): a member holding a custom role (projectroleid) is said by its name.
    Every project's two lists are sent side by side."""
    listed = list(projects)
    answers = iter(
        client.gather(
            [
                partial(client.list, command, projectid=project_id)
                for _name, project_id in listed
                for command in ("listProjectRoles", "listProjectAccounts")
            ]
        )
    )
    members: dict[str, dict[str, str]] = {}
    roles: dict[str, tuple[str, ...]] = {}
    for name, _project_id in listed:
        custom = {str(row["id"]): str(row["name"]) for row in next(answers)}
        roles[name] = tuple(sorted(custom.values()))
        members[name] = {
            member_key(row): custom.get(str(row.get("projectroleid")), str(row["role"]))
            for row in next(answers)
        }
    return members, roles
