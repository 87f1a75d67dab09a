"""The catalog of a cloud (zones, offerings, templates, projects) by name, read once per run."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from functools import partial
from typing import Any

from app.cloudstack.client import CloudStackClient
from app.cloudstack.errors import ApiError
from app.cloudstack.model import (
    Catalog,
    DiskOffering,
    KubernetesVersion,
    NetworkOffering,
    ProjectRef,
    ServiceOffering,
    Template,
    VpcOffering,
    Zone,
)
from app.cloudstack.usage import parse_project

GIB = 1024**3
UNSUPPORTED_ACTION = 432  # CloudStack's answer to a command this cloud does not offer


def tag_map(row: Mapping[str, Any]) -> dict[str, str]:
    return {str(tag["key"]): str(tag["value"]) for tag in row.get("tags", [])}


def read_catalog(client: CloudStackClient) -> Catalog:
    """Ten paginated list calls sent side by side, whatever the size of the cloud; projects
    come with quotas."""
    reads: list[Callable[[], Any]] = [
        partial(read_catalog_but_projects, client),
        partial(read_project_refs, client),
    ]
    rest, projects = client.gather(reads)
    catalog: Catalog = replace(rest, projects=projects)
    return catalog


def read_project_refs(client: CloudStackClient) -> dict[str, ProjectRef]:
    """The projects by name, with their tags and quotas: the one list of the catalog that a
    plan's reads of the projects wait for, so a plan sends it ahead of the rest."""
    return {
        p["name"]: ProjectRef(
            p["id"],
            p["name"],
            tag_map(p),
            parse_project(p),
            str(p.get("domainid", "")),
            str(p.get("displaytext", "")),
            str(p.get("state", "")),
        )
        for p in client.list("listProjects", details="all")
    }


def read_catalog_but_projects(client: CloudStackClient) -> Catalog:
    """The catalog's other lists side by side; its projects are left empty."""
    reads: list[Callable[[], Any]] = [
        partial(client.list, "listZones", available="true"),
        partial(client.list, "listServiceOfferings"),
        partial(client.list, "listDiskOfferings"),
        partial(client.list, "listTemplates", templatefilter="executable"),
        partial(client.list, "listNetworkOfferings", state="Enabled"),
        partial(client.list, "listVPCOfferings", state="Enabled"),
        partial(client.list, "listAffinityGroupTypes"),
        partial(_kubernetes_versions, client),
    ]
    zone_rows, service, disk, template, network, vpc, affinity_types, kubernetes = client.gather(
        reads
    )
    zones = {
        z["name"]: Zone(z["id"], z["name"], bool(z.get("securitygroupsenabled"))) for z in zone_rows
    }
    offerings = {
        o["name"]: ServiceOffering(
            o["id"],
            o["name"],
            int(o["cpunumber"]),
            int(o["memory"]),
            bool(o.get("dynamicscalingenabled")),
        )
        for o in service
    }
    disks = {
        d["name"]: DiskOffering(
            d["id"], d["name"], int(d.get("disksize") or 0), bool(d.get("iscustomized"))
        )
        for d in disk
    }
    templates = {
        (t["name"], t["zoneid"]): Template(
            t["id"], t["name"], t["zoneid"], int(t.get("size") or 0) // GIB
        )
        for t in template
    }
    networks = {
        n["name"]: NetworkOffering(
            n["id"],
            n["name"],
            n["guestiptype"],
            tuple(s["name"] for s in n.get("service", [])),
            bool(n.get("forvpc")),
        )
        for n in network
    }
    vpcs = {v["name"]: VpcOffering(v["id"], v["name"]) for v in vpc}
    affinity = tuple(sorted(t["type"] for t in affinity_types))
    return Catalog(
        zones,
        offerings,
        disks,
        templates,
        networks,
        {},
        vpcs,
        affinity,
        kubernetes,
    )


def _kubernetes_versions(client: CloudStackClient) -> dict[str, KubernetesVersion] | None:
    """None where the cloud has no Kubernetes Service: its plugin off, the command unknown."""
    try:
        rows = client.list("listKubernetesSupportedVersions")
    except ApiError as exc:
        if exc.errorcode == UNSUPPORTED_ACTION:
            return None
        raise
    return {
        v["name"]: KubernetesVersion(
            v["id"],
            v["name"],
            str(v.get("semanticversion", "")),
            int(v.get("mincpunumber") or 0),
            int(v.get("minmemory") or 0),
            bool(v.get("supportsha", True)),
            str(v.get("zoneid") or ""),
            v.get("state", "Enabled") == "Enabled",
        )
        for v in rows
    }
