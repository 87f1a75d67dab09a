"""Affinity groups and static NAT, written from CloudStack's rows in the repo's terms: a group
by its name, an instance's groups and an address's static NAT by the keys written for them."""

from __future__ import annotations

from typing import Any

from app.cloudstack.inventory import Reading
from app.imports.mapping import Mapper, Row
from app.imports.model import Unmodelled


def map_affinity_groups(mapper: Mapper) -> None:
    for row in mapper.rows("affinity_group"):
        entry = Reading.affinity_group(row)
        mapper.put("affinity_groups", "affinity_group", str(row["name"]), row, entry)


def affinity_of(mapper: Mapper, fields: dict[str, Any]) -> list[str]:
    """The instance's groups, by the keys they were written under (every group of the project
    is; one that is not, another account's, is not the repo's to name)."""
    names = fields["affinity_groups"]
    return sorted(
        mapper.key("affinity_groups", n) for n in names if mapper.has("affinity_groups", n)
    )


def static_nat_of(mapper: Mapper, row: Row) -> str | None:
    """The instance an address's static NAT sends to, if it was written; else said unmodelled."""
    if not row.get("isstaticnat"):
        return None
    target = row.get("virtualmachinename", "")
    if mapper.has("instances", target):
        return str(mapper.key("instances", target))
    address = row.get("ipaddress")
    mapper.unmodelled.append(Unmodelled("static NAT", f"{address} → {target}", str(row["id"])))
    return None
