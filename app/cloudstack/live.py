"""Read everything a plan needs from the clouds: catalogs, quotas (projects' and their
domains') and the managed objects; several clouds side by side."""

from __future__ import annotations

import contextvars
import time
from collections.abc import Callable, Collection, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any

from app.cloudstack.balancer_members import with_members
from app.cloudstack.catalog import read_catalog_but_projects, read_project_refs
from app.cloudstack.client import CloudStackClient
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
    ProjectRef,
    ProjectUsage,
)
from app.cloudstack.usage import parse_domain

MAX_CLOUDS_AT_ONCE = 32  # one reader thread per cloud, up to this many


@dataclass
class _Scope:
    """What every cloud's read is asked for."""

    repo: str
    include_managed: bool
    tenancy: Collection[str]
    balancers: Mapping[str, Collection[str]]


@dataclass
class _CloudRead:
    """What one cloud answered, merged into the plan's LiveState once every cloud is read."""

    projects: dict[str, LiveProject] = field(default_factory=dict)
    usage: dict[str, ProjectUsage] = field(default_factory=dict)
    catalog: Catalog | None = None
    domains: dict[str, DomainUsage] = field(default_factory=dict)
    directory: Directory | None = None
    members: dict[str, dict[str, str]] = field(default_factory=dict)
    roles: dict[str, tuple[str, ...]] = field(default_factory=dict)
    defaults: ProjectDefaults | None = None
    error: UnknownCloud | CloudStackError | None = None


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
    scope = _Scope(repo, include_managed, tenancy, balancers or {})
    ordered = sorted(wanted.items())
    context = contextvars.copy_context()  # the job's log context, in every reader's thread
    workers = max(1, min(len(ordered), MAX_CLOUDS_AT_ONCE))
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="read-cloud") as pool:
        reads = list(
            pool.map(
                lambda item: context.copy().run(_read_cloud, clouds, item[0], item[1], scope),
                ordered,
            )
        )
    return _merged(clouds, ordered, reads, outages_raise, started, calls_before)


def _read_cloud(clouds: Clouds, cloud: str, names: Iterable[str], scope: _Scope) -> _CloudRead:
    """One cloud's part, read on its own thread with its reads sent side by side: listProjects
    first, and as soon as it answers the projects with their members, while the rest of the
    catalog and the domains are read beside them (before, the projects waited for the whole
    catalog: a round trip more). Its failure is kept, not raised, so that the other clouds'
    reads finish."""
    read = _CloudRead()
    try:
        client = clouds.client(cloud)
        first: list[Callable[[], Any]] = [
            partial(_projects_ahead, clouds, cloud, set(names), scope),
            partial(read_catalog_but_projects, client),
            partial(_domains, client),
        ]
        projects, catalog, domains = client.gather(first)
        read.catalog = replace(catalog, projects=projects.refs)
        read.usage = projects.usage
        read.projects, read.directory = projects.read.projects, projects.read.directory
        read.members, read.roles = projects.read.members, projects.read.roles
        read.defaults = projects.read.defaults
        if projects.error is not None:  # raised after the catalog's, as when read after it
            raise projects.error
        if isinstance(domains, CloudStackError):
            raise domains
        read.domains = {d.id: d for d in map(parse_domain, domains)}
    except (UnknownCloud, CloudStackError) as error:
        read.error = error
    return read


@dataclass
class _Projects:
    """listProjects and what was read of the projects it names; a failure of the latter is
    kept for after the rest of the catalog is read, with what was read before it."""

    refs: dict[str, ProjectRef]
    usage: dict[str, ProjectUsage]
    read: _CloudRead
    error: CloudStackError | None = None


def _projects_ahead(clouds: Clouds, cloud: str, names: set[str], scope: _Scope) -> _Projects:
    client = clouds.client(cloud)
    refs = read_project_refs(client)
    managed = managed_projects(refs, scope.repo) if scope.include_managed else set()
    targets = [refs[name] for name in sorted((names | managed) & set(refs))]
    usage = {ref.name: ref.usage for ref in targets if ref.usage is not None}
    listed_members = [(ref.name, ref.id) for ref in targets if ref.name in scope.tenancy]
    read, creates = _CloudRead(), bool(names - set(refs))
    try:
        client.gather(
            [
                partial(_projects, client, scope, targets, read),
                partial(_tenancy, clouds, cloud, listed_members, creates, read),
            ]
        )
    except CloudStackError as error:
        return _Projects(refs, usage, read, error)
    return _Projects(refs, usage, read)


def _domains(client: CloudStackClient) -> list[dict[str, Any]] | CloudStackError:
    """One call for the whole tree (a project's limits live inside its domain's). Its failure
    is raised once the rest is read, as when it was the last call: a key that may not list
    domains still has its projects planned, its cloud reported beside them."""
    try:
        return client.list("listDomains", listall="true")
    except CloudStackError as error:
        return error


def _projects(
    client: CloudStackClient, scope: _Scope, refs: list[ProjectRef], read: _CloudRead
) -> None:
    """The projects' objects, and the members of the untagged load balancers to adopt."""
    read.projects = with_members(client, read_projects(client, scope.repo, refs), scope.balancers)


def _tenancy(
    clouds: Clouds, cloud: str, listed: list[tuple[str, str]], creates: bool, read: _CloudRead
) -> None:
    """Who may own and join the projects: read where the repo lists members (their projects
    named in ``listed``) or creates a project, with the cloud's privileged key."""
    if listed or creates:
        admin = clouds.tenancy_client(cloud)
        read.directory = read_directory(admin)
        read.members, read.roles = read_members(admin, listed)
    if creates:
        read.defaults = read_project_defaults(clouds.tenancy_client(cloud))


def _merged(
    clouds: Clouds,
    ordered: list[tuple[str, Iterable[str]]],
    reads: list[_CloudRead],
    outages_raise: bool,
    started: float,
    calls_before: int,
) -> LiveState:
    """The clouds' reads as one LiveState, in cloud name order (what a cloud answered before
    it failed is kept, as when they were read one after another); an outage is raised, the
    first cloud's in that order, once all are read."""
    live = _CloudRead()
    unreachable: dict[str, str] = {}
    catalogs: dict[str, Catalog] = {}
    directories: dict[str, Directory] = {}
    defaults: dict[str, ProjectDefaults] = {}
    for (cloud, _names), read in zip(ordered, reads, strict=True):
        if read.error is not None:
            if outages_raise and isinstance(read.error, Unreachable):
                raise read.error
            unreachable[cloud] = str(read.error)
        if read.catalog is not None:
            catalogs[cloud] = read.catalog
        if read.directory is not None:
            directories[cloud] = read.directory
        if read.defaults is not None:
            defaults[cloud] = read.defaults
        live.projects.update(read.projects)
        live.usage.update(read.usage)
        live.domains.update(read.domains)
        live.members.update(read.members)
        live.roles.update(read.roles)
    return LiveState(
        live.projects,
        live.usage,
        catalogs,
        unreachable,
        clouds.api_calls() - calls_before,
        time.monotonic() - started,
        live.domains,
        directories=directories,
        members=live.members,
        project_roles=live.roles,
        project_defaults=defaults,
    )
