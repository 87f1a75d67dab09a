"""Projects of one cloud, read and mapped: the cloud side of `stackgate import`. The catalog
and the domains are read once, and the projects' objects together (cloud.py)."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any

from app.cloudstack.catalog import read_catalog
from app.cloudstack.client import CloudStackClient
from app.cloudstack.errors import ApiError
from app.cloudstack.model import Catalog, ProjectRef
from app.cloudstack.usage import parse_domain
from app.imports.cloud import read_rows
from app.imports.kinds import map_project
from app.imports.model import ImportedProject, Skipped
from app.imports.project import MEMBERS_LEFT_OUT, project_settings


class NoSuchProject(LookupError):
    """The cloud has no project of that name."""


def import_projects(
    client: CloudStackClient,
    names: Sequence[str] | None,
    keep: Mapping[str, Collection[str]] | None = None,
    public_keys: Mapping[str, str] | None = None,
) -> list[ImportedProject]:
    """The projects named (by name or id; None: every project of the cloud), each whole, or
    with only the objects whose ids ``keep`` holds for it, as a Terraform state gives them
    (then the project's own settings, which no state manages, are not written)."""
    catalog = read_catalog(client)
    refs = [_ref(catalog, client.cloud, name) for name in names or ()]
    if names is None:
        refs = sorted(catalog.projects.values(), key=lambda ref: ref.name)
    domains = {d.id: d.path for d in map(parse_domain, client.list("listDomains", listall="true"))}
    found = read_rows(client, refs)
    imported = []
    for given, ref in zip(names or [ref.name for ref in refs], refs, strict=True):
        wanted = None if keep is None else keep[given]
        own, problems = _project(client, ref) if keep is None else ({}, [])
        domain = domains.get(ref.domain_id)
        settings = {"project": ref.name, "cloud": client.cloud, "domain": domain, **own}
        project = map_project(found[ref.id], catalog, settings, wanted, public_keys)
        project.skipped.extend(problems)
        imported.append(project)
    return imported


def _ref(catalog: Catalog, cloud: str, name: str) -> ProjectRef:
    ref = catalog.projects.get(name) or next(
        (p for p in catalog.projects.values() if p.id == name), None
    )
    if ref is None:
        known = ", ".join(sorted(catalog.projects)) or "none"
        raise NoSuchProject(f"cloud {cloud} has no project '{name}' (projects: {known})")
    return ref


def _project(client: CloudStackClient, ref: ProjectRef) -> tuple[dict[str, Any], list[Skipped]]:
    """The project's own settings. Its members come from listProjectAccounts, which CloudStack
    answers per project only, and its custom roles by id, read only when a member holds one;
    a refusal (a key without access to the project's accounts) leaves membership unmanaged."""
    try:
        rows = client.list("listProjectAccounts", projectid=ref.id)
    except ApiError as error:
        own, problems = project_settings(ref, [], {})
        why = f"the cloud refused listProjectAccounts ({error.errorcode}: {error.errortext})"
        return own, [Skipped("members", "", ref.id, f"{why}; {MEMBERS_LEFT_OUT}"), *problems]
    roles: dict[str, str] = {}
    if any(row.get("projectroleid") for row in rows):
        listed = client.list("listProjectRoles", projectid=ref.id)
        roles = {str(role["id"]): str(role["name"]) for role in listed}
    return project_settings(ref, rows, roles)
