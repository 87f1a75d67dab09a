"""Security groups written from CloudStack's rows in the repo's terms: each group with its
ingress and egress rules, one rule per CIDR or peer group as CloudStack keeps them. The
project's ``default`` group is CloudStack's and the repo cannot define it, so it is never
written (instances still name it). An instance in a zone with security groups is written with
its groups, and without the zone's shared network, which the repo names by naming none."""

from __future__ import annotations

from typing import Any

from app.cloudstack.sg_reading import DEFAULT_GROUP, DIRECTIONS, group_rules
from app.imports.mapping import Mapper, clean


def _rule(rule: dict[str, Any]) -> dict[str, Any]:
    """A rule as the repo writes it: ``group`` or ``cidrs``, ICMP only for ICMP."""
    return clean({**rule, "cidrs": None if rule["group"] else rule["cidrs"]})


def map_security_groups(mapper: Mapper) -> None:
    for row in mapper.rows("security_group"):
        if row.get("name") == DEFAULT_GROUP:
            continue
        entry: dict[str, Any] = {"description": row.get("description") or None}
        for direction in DIRECTIONS:
            entry[direction] = [_rule(rule) for rule in group_rules(row, direction)] or None
        mapper.put("security_groups", "security_group", str(row["name"]), row, entry)


def in_sg_zone(mapper: Mapper, fields: dict[str, Any]) -> bool:
    """Whether the instance runs in a zone with security groups, where it may be on no
    network the repo names (the zone's shared network) and its groups are written."""
    zone = mapper.catalog.zones.get(str(fields.get("zone")))
    return zone is not None and zone.security_groups


def groups_of(mapper: Mapper, fields: dict[str, Any]) -> list[str] | None:
    """The instance's groups by the keys they were written under (default as it is)."""
    if not in_sg_zone(mapper, fields):
        return None
    names = fields.get("security_groups") or []
    return sorted(str(mapper.key("security_groups", name)) for name in names)
