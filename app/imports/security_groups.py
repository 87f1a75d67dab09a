"""Security groups written from CloudStack's rows in the repo's terms: each group with its
ingress and egress rules, one rule per CIDR or peer group as CloudStack keeps them. The
project's ``default`` group is CloudStack's and the repo cannot define it, so it is never
written (instances may still name it). An instance's groups are not written yet: apply does
not make an instance in security groups (it cannot name its zone's shared network)."""

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
