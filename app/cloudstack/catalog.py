"""The catalog of a cloud (zones, offerings, templates, projects) by name, read once per run."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from app.cloudstack.client import CloudStackClient

GIB = 1024**3


@dataclass(frozen=True)
class Zone:
    id: str
    name: str


@dataclass(frozen=True)
class ServiceOffering:
    id: str
    name: str
    cpu: int
    memory_mib: int
    dynamic_scaling: bool


@dataclass(frozen=True)
class DiskOffering:
    id: str
    name: str
    size_gib: int  # 0 for custom-size offerings
    custom: bool


@dataclass(frozen=True)
class Template:
    id: str
    name: str
    zone_id: str
    size_gib: int


@dataclass(frozen=True)
class NetworkOffering:
    id: str
    name: str
    guest_ip_type: str
    services: tuple[str, ...]


@dataclass(frozen=True)
class ProjectRef:
    id: str
    name: str
    tags: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Catalog:
    zones: Mapping[str, Zone]
    service_offerings: Mapping[str, ServiceOffering]
    disk_offerings: Mapping[str, DiskOffering]
    templates: Mapping[tuple[str, str], Template]  # (name, zone id)
    network_offerings: Mapping[str, NetworkOffering]
    projects: Mapping[str, ProjectRef]

    def zone_name(self, zone_id: str) -> str:
        return next((zone.name for zone in self.zones.values() if zone.id == zone_id), zone_id)

    def template(self, name: str, zone: str) -> Template | None:
        found = self.zones.get(zone)
        return self.templates.get((name, found.id)) if found else None

    def by_id(self, kind: str, item_id: str) -> str:
        """The name of a catalog entry by id (kind: service_offerings, disk_offerings, ...)."""
        entries: Mapping[Any, Any] = getattr(self, kind)
        return next((entry.name for entry in entries.values() if entry.id == item_id), item_id)


def tag_map(row: Mapping[str, Any]) -> dict[str, str]:
    return {str(tag["key"]): str(tag["value"]) for tag in row.get("tags", [])}


def read_catalog(client: CloudStackClient) -> Catalog:
    """Six paginated list calls, whatever the size of the cloud."""
    zones = {
        z["name"]: Zone(z["id"], z["name"]) for z in client.list("listZones", available="true")
    }
    offerings = {
        o["name"]: ServiceOffering(
            o["id"],
            o["name"],
            int(o["cpunumber"]),
            int(o["memory"]),
            bool(o.get("dynamicscalingenabled")),
        )
        for o in client.list("listServiceOfferings")
    }
    disks = {
        d["name"]: DiskOffering(
            d["id"], d["name"], int(d.get("disksize") or 0), bool(d.get("iscustomized"))
        )
        for d in client.list("listDiskOfferings")
    }
    templates = {
        (t["name"], t["zoneid"]): Template(
            t["id"], t["name"], t["zoneid"], int(t.get("size") or 0) // GIB
        )
        for t in client.list("listTemplates", templatefilter="executable")
    }
    networks = {
        n["name"]: NetworkOffering(
            n["id"], n["name"], n["guestiptype"], tuple(s["name"] for s in n.get("service", []))
        )
        for n in client.list("listNetworkOfferings", state="Enabled")
    }
    projects = {
        p["name"]: ProjectRef(p["id"], p["name"], tag_map(p))
        for p in client.list("listProjects", details="min")
    }
    return Catalog(zones, offerings, disks, templates, networks, projects)
