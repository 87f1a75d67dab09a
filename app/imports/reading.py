"""One project of one cloud, read and mapped: the cloud side of `stackgate import`."""

from __future__ import annotations

from collections.abc import Collection, Mapping

from app.cloudstack.catalog import read_catalog
from app.cloudstack.client import CloudStackClient
from app.cloudstack.usage import parse_domain
from app.imports.cloud import read_rows
from app.imports.kinds import map_project
from app.imports.model import ImportedProject


class NoSuchProject(LookupError):
    """The cloud has no project of that name."""


def import_project(
    client: CloudStackClient,
    name: str,
    keep: Collection[str] | None = None,
    public_keys: Mapping[str, str] | None = None,
) -> ImportedProject:
    catalog = read_catalog(client)
    ref = catalog.projects.get(name) or next(
        (p for p in catalog.projects.values() if p.id == name), None
    )
    if ref is None:
        known = ", ".join(sorted(catalog.projects)) or "none"
        raise NoSuchProject(f"cloud {client.cloud} has no project '{name}' (projects: {known})")
    domains = {d.id: d.path for d in map(parse_domain, client.list("listDomains", listall="true"))}
    settings = {
        "project": ref.name,
        "cloud": client.cloud,
        "domain": domains.get(ref.domain_id),
    }
    return map_project(read_rows(client, ref), catalog, settings, keep, public_keys)
