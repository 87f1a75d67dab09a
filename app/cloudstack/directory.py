"""Who may own and join projects: domains, accounts, users, and each project's members.

Read only for plans that create projects or manage membership: three paginated list calls
per cloud (listDomains, listAccounts, listUsers) and one listProjectAccounts per project
whose members the repo lists, so a plan costs O(projects) calls, not O(members).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from app.cloudstack.client import CloudStackClient
from app.cloudstack.model import Directory


def member_key(row: Mapping[str, object]) -> str:
    """A listProjectAccounts row as the plan names the member: 'user:<name>' or 'account:<name>'."""
    return f"user:{row['username']}" if row.get("userid") else f"account:{row['account']}"


def read_directory(client: CloudStackClient) -> Directory:
    domains = {str(d["path"]): str(d["id"]) for d in client.list("listDomains", listall="true")}
    accounts = frozenset(
        (str(a["domainid"]), str(a["name"]))
        for a in client.list("listAccounts", listall="true", isrecursive="true")
    )
    users = {
        (str(u["domainid"]), str(u["username"])): str(u["id"])
        for u in client.list("listUsers", listall="true", isrecursive="true")
    }
    return Directory(domains, accounts, users)


def read_members(
    client: CloudStackClient, projects: Iterable[tuple[str, str]]
) -> dict[str, dict[str, str]]:
    """Project name → member key → project role, for each (name, id)."""
    return {
        name: {
            member_key(row): str(row["role"])
            for row in client.list("listProjectAccounts", projectid=project_id)
        }
        for name, project_id in projects
    }
