"""Read everything a plan needs from the clouds: catalogs, quotas (projects' and their
domains') and the managed objects."""

from __future__ import annotations

import time
from collections.abc import Collection, Iterable, Mapping

from app.cloudstack.balancer_members import with_members
from app.cloudstack.catalog import read_catalog
from app.cloudstack.clouds import Clouds, UnknownCloud
from app.cloudstack.directory import read_directory, read_members, read_project_defaults
from app.cloudstack.errors import CloudStackError, Unreachable
from app.cloudstack.inventory import managed_projects, read_projects
from app.cloudstack.model import (
    Catalog,
    Directory,
    DomainUsage,
    LiveProject,
    LiveState,
    ProjectDefaults,
    ProjectUsage,
)
from app.cloudstack.usage import parse_domain


def read_live(
    clouds: Clouds,
    repo: str,
    wanted: Mapping[str, Iterable[str]],
    include_managed: bool = False,
    outages_raise: bool = True,
    tenancy: Collection[str] = (),
    balancers: Mapping[str, Collection[str]] | None = None,
) -> LiveState:
    """The named projects per cloud (and, with ``include_managed``, every project the repo
    already manages there, so that a project removed from the repo is planned too).

    A cloud that cannot be read is recorded in ``unreachable`` with the reason; the plan
    turns that into a diagnostic instead of planning against nothing. An outage (no answer,
    or a 5xx, after the client's own retries) is raised instead, unless ``outages_raise`` is
    off (a person at the CLI): it passes, so the service's job is retried, not concluded.

    Domains, accounts and users are read for a cloud where a named project does not exist
    yet (the plan creates it) with the cloud's max.project.* defaults, and members for the
    ``tenancy`` projects (the repo lists them), and the members of the untagged load
    balancers named in ``balancers`` (project → names: those the repo declares, to adopt).
    """
    started, calls_before = time.monotonic(), clouds.api_calls()
    projects: dict[str, LiveProject] = {}
    usage: dict[str, ProjectUsage] = {}
    catalogs: dict[str, Catalog] = {}
    domains: dict[str, DomainUsage] = {}
    unreachable: dict[str, str] = {}
    directories: dict[str, Directory] = {}
    members: dict[str, dict[str, str]] = {}
    roles: dict[str, tuple[str, ...]] = {}
    defaults: dict[str, ProjectDefaults] = {}
    for cloud, names in sorted(wanted.items()):
        try:
            client = clouds.client(cloud)
            catalog = catalogs[cloud] = read_catalog(client)
            targets = set(names) | (managed_projects(catalog, repo) if include_managed else set())
            refs = [catalog.projects[name] for name in sorted(targets & set(catalog.projects))]
            read = read_projects(client, repo, refs)
            projects.update(with_members(client, read, balancers or {}))
            usage.update({ref.name: ref.usage for ref in refs if ref.usage is not None})
            listed_members = [(ref.name, ref.id) for ref in refs if ref.name in tenancy]
            if listed_members or set(names) - set(catalog.projects):
                admin = clouds.tenancy_client(cloud)
                directories[cloud] = read_directory(admin)
                found, custom = read_members(admin, listed_members)
                members.update(found)
                roles.update(custom)
            if set(names) - set(catalog.projects):
                defaults[cloud] = read_project_defaults(clouds.tenancy_client(cloud))
            # One call for the whole tree: a project's limits live inside its domain's.
            listed = client.list("listDomains", listall="true")
            domains.update({d.id: d for d in map(parse_domain, listed)})
        except (UnknownCloud, CloudStackError) as error:
            if outages_raise and isinstance(error, Unreachable):
                raise
            unreachable[cloud] = str(error)
    return LiveState(
        projects,
        usage,
        catalogs,
        unreachable,
        clouds.api_calls() - calls_before,
        time.monotonic() - started,
        domains,
        directories=directories,
        members=members,
        project_roles=roles,
        project_defaults=defaults,
    )
