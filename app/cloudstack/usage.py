"""Project and domain quota snapshots from listProjects and listDomains: used and limit per
resource.

listProjects writes ``<prefix>limit`` and ``<prefix>available`` as strings ("Unlimited" when
the limit is -1; older servers wrote numbers) and ``<prefix>total`` as a number; memory is in
MiB and storage in GiB. One paginated call covers every project, one every domain.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from app.cloudstack.model import DomainUsage, ProjectUsage, Quota, Unit


@dataclass(frozen=True)
class Resource:
    prefix: str  # listProjects field prefix
    type_id: int  # resourcetype of updateResourceLimit / listResourceLimits
    unit: Unit


RESOURCES: dict[str, Resource] = {
    "instances": Resource("vm", 0, "count"),
    "public_ips": Resource("ip", 1, "count"),
    "volumes": Resource("volume", 2, "count"),
    "snapshots": Resource("snapshot", 3, "count"),
    "templates": Resource("template", 4, "count"),
    "networks": Resource("network", 6, "count"),
    "vpcs": Resource("vpc", 7, "count"),
    "cpu": Resource("cpu", 8, "count"),
    "memory": Resource("memory", 9, "MiB"),
    "primary_storage": Resource("primarystorage", 10, "GiB"),
    "secondary_storage": Resource("secondarystorage", 11, "GiB"),
}


def _number(value: Any) -> int | None:
    """A limit as CloudStack writes it: a number, a numeric string, or 'Unlimited' (None)."""
    if value is None or (isinstance(value, str) and value.strip().lower() == "unlimited"):
        return None
    number = int(float(value))
    return None if number < 0 else number


def _quotas(row: Mapping[str, Any]) -> dict[str, Quota]:
    return {
        name: Quota(
            used=_number(row.get(f"{resource.prefix}total")) or 0,
            limit=_number(row.get(f"{resource.prefix}limit")),
            unit=resource.unit,
        )
        for name, resource in RESOURCES.items()
        if f"{resource.prefix}limit" in row or f"{resource.prefix}total" in row
    }


def parse_project(row: Mapping[str, Any]) -> ProjectUsage:
    return ProjectUsage(
        str(row["name"]), str(row["id"]), _quotas(row), str(row.get("domainid", ""))
    )


def parse_domain(row: Mapping[str, Any]) -> DomainUsage:
    """listDomains writes the same fields as listProjects (DomainJoinDaoImpl.setResourceLimits)."""
    parent = row.get("parentdomainid")
    return DomainUsage(
        str(row["id"]), str(row["path"]), str(parent) if parent else None, _quotas(row)
    )
