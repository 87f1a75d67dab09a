"""Security groups described in the repo format's terms, for the inventory and the import.

listSecurityGroups is read once per project like every kind, each group's rules inside its
row (``ingressrule``, ``egressrule``). A rule is described atomically, one CIDR or one peer
group each, as CloudStack keeps it (an authorize with three CIDRs makes three rules), in the
shape of a firewall rule's fields, so the plan compares and the policies judge them alike.
The module is pure (no client), as the plan sorts its desired rules by ``rule_order`` too.
The project's ``default`` group is CloudStack's (every account has one, it cannot be deleted
nor defined in the repo): untagged, it is left out, never planned for deletion nor adopted.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

Row = Mapping[str, Any]
DEFAULT_GROUP = "default"  # SecurityGroupManager.DEFAULT_GROUP_NAME
DIRECTIONS = ("ingress", "egress")


def group_rule(rule: Row) -> dict[str, Any]:
    """One rule of a SecurityGroupResponse in the plan's terms (``ruleid`` left out)."""
    protocol = str(rule.get("protocol") or "all").lower()
    icmp = protocol == "icmp"
    start, end = rule.get("startport"), rule.get("endport")
    ports = None
    if protocol in ("tcp", "udp") and start not in (None, ""):
        ports = str(start) if str(start) == str(end or start) else f"{start}-{end}"
    cidr = rule.get("cidr")
    return {
        "protocol": protocol,
        "ports": ports,
        "icmp_type": rule.get("icmptype") if icmp else None,
        "icmp_code": rule.get("icmpcode") if icmp else None,
        "cidrs": [str(cidr)] if cidr and not rule.get("securitygroupname") else [],
        "group": rule.get("securitygroupname"),
    }


def rule_order(rule: Mapping[str, Any]) -> str:
    """One order for both sides, so that a file's order of rules changes nothing."""
    return repr(sorted(rule.items()))


def group_rules(row: Row, direction: str) -> list[dict[str, Any]]:
    found = [group_rule(rule) for rule in row.get(f"{direction}rule") or []]
    return sorted(found, key=rule_order)


class SecurityGroupReading:
    """What the inventory's reading adds for security groups."""

    @staticmethod
    def security_group(row: Row) -> dict[str, Any]:
        return {
            "description": str(row.get("description") or ""),
            **{direction: group_rules(row, direction) for direction in DIRECTIONS},
        }

    def kept(self, kind: str, row: Row) -> bool:
        """Whether the inventory files the row: not the project's untagged default group."""
        return not (
            kind == "security_group" and row.get("name") == DEFAULT_GROUP and not row.get("tags")
        )
