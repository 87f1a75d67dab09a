"""Firewall, egress and port-forwarding rules described in the repo format's terms, for the
inventory and the import: by the repo's names of the addresses and networks they are on (read
before them), ports as ``22`` or ``8000-8100``, CIDRs sorted."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from app.cloudstack.model import unmanaged_address
from app.cloudstack.vpc_reading import VpcReading

Row = Mapping[str, Any]


def ports(start: Any, end: Any) -> str | None:
    if start in (None, ""):
        return None
    return str(start) if str(start) == str(end or start) else f"{start}-{end}"


def cidrs(value: Any) -> list[str]:
    return sorted(part.strip() for part in str(value or "").split(",") if part.strip())


@dataclass
class RuleReading(VpcReading):
    """The names rules are written by, filled as networks and addresses are read."""

    network_names: dict[str, str] = field(default_factory=dict)
    ip_names: dict[str, str] = field(default_factory=dict)

    def ip(self, ip_id: Any, address: Any) -> str:
        return self.ip_names.get(str(ip_id), unmanaged_address(address))

    def firewall(self, row: Row) -> dict[str, Any]:
        return {
            "ip": self.ip(row.get("ipaddressid"), row.get("ipaddress")),
            **self._traffic(row),
            "cidrs": cidrs(row.get("cidrlist")),
        }

    def egress(self, row: Row) -> dict[str, Any]:
        network = self.network_names.get(str(row.get("networkid")), str(row.get("networkid")))
        # No destination CIDRs (a rule made without destcidrlist) is every destination.
        every = cidrs(row.get("destcidrlist")) or ["0.0.0.0/0"]
        return {"network": network, **self._traffic(row), "cidrs": every}

    @staticmethod
    def _traffic(row: Row) -> dict[str, Any]:
        return {
            "protocol": str(row.get("protocol", "")).lower(),
            "ports": ports(row.get("startport"), row.get("endport")),
            "icmp_type": row.get("icmptype"),
            "icmp_code": row.get("icmpcode"),
        }

    def port_forward(self, row: Row) -> dict[str, Any]:
        return {
            "ip": self.ip(row.get("ipaddressid"), row.get("ipaddress")),
            "protocol": str(row.get("protocol", "")).lower(),
            "public_port": ports(row.get("publicport"), row.get("publicendport")),
            "private_port": ports(row.get("privateport"), row.get("privateendport")),
            "instance": row.get("virtualmachinename"),
            "cidrs": cidrs(row.get("cidrlist")),
            **self.on_tier(row, self.network_names),
        }
