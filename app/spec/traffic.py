"""Rules that let traffic in and out of public addresses and networks, and their stable keys."""

from __future__ import annotations

import hashlib
from typing import Literal, Self

from pydantic import Field, model_validator

from app.spec.base import Resource, Strict
from app.spec.fields import Cidr, HostName, Name, PortRange, bad_value


class TrafficRule(Strict):
    protocol: str | int
    ports: PortRange | None = Field(None, description="443 or '8000-8100'; not for icmp")
    icmp_type: int | None = Field(None, ge=-1, le=255)
    icmp_code: int | None = Field(None, ge=-1, le=255)

    @model_validator(mode="after")
    def _ports_fit_protocol(self) -> Self:
        if self.protocol not in ("tcp", "udp") and self.ports is not None:
            raise bad_value(f"ports do not apply to protocol {self.protocol}", "remove 'ports'")
        icmp = self.icmp_type is not None or self.icmp_code is not None
        if icmp and self.protocol != "icmp":
            raise bad_value("icmp_type and icmp_code apply only to protocol icmp", "")
        return self

    def _what(self) -> str:
        if self.protocol == "icmp":
            return f"{_icmp(self.icmp_type)}/{_icmp(self.icmp_code)}"
        return str(self.ports) if self.ports else "all"


def _icmp(value: int | None) -> int:
    return -1 if value is None else value


KEY_LIMIT = 200  # tag values hold 255 characters; long CIDR lists are shortened with a hash


def rule_key(anchor: str, protocol: str, what: str, cidrs: list[str]) -> str:
    """e.g. ``web-ip:tcp:443:0.0.0.0/0``; stable however the CIDRs are ordered in the file."""
    key = f"{anchor}:{protocol}:{what}" + (f":{','.join(sorted(cidrs))}" if cidrs else "")
    if len(key) <= KEY_LIMIT:
        return key
    digest = hashlib.sha256(key.encode()).hexdigest()[:12]
    return f"{key[: KEY_LIMIT - 14]}~{digest}"


class FirewallRule(TrafficRule):
    ip: Name = Field(description="Public IP from public_ips")
    protocol: Literal["tcp", "udp", "icmp"]
    cidrs: list[Cidr] = Field(min_length=1, description="Source CIDRs allowed in")

    @property
    def key(self) -> str:
        """The rule's name: its whole content, since CloudStack cannot change a rule in place."""
        return rule_key(self.ip, self.protocol, self._what(), self.cidrs)


class EgressRule(TrafficRule):
    network: Name
    protocol: Literal["tcp", "udp", "icmp", "all"]
    cidrs: list[Cidr] = Field(min_length=1, description="Destination CIDRs allowed out")

    @property
    def key(self) -> str:
        return rule_key(self.network, self.protocol, self._what(), self.cidrs)


class PortForward(Strict):
    ip: Name
    protocol: Literal["tcp", "udp"]
    public_port: PortRange
    private_port: PortRange
    instance: HostName
    cidrs: list[Cidr] | None = None
    tier: Name | None = Field(
        None, description="For an address on a VPC: the tier of the instances it serves"
    )

    @property
    def key(self) -> str:
        target = f"{self.public_port}->{self.instance}:{self.private_port}"
        return rule_key(self.ip, self.protocol, target, self.cidrs or [])


class LoadBalancer(Resource):
    ip: Name
    algorithm: Literal["roundrobin", "leastconn", "source"] = "roundrobin"
    protocol: Literal["tcp", "udp"] = "tcp"
    public_port: int = Field(ge=1, le=65535)
    private_port: int = Field(ge=1, le=65535)
    members: list[HostName] = Field(min_length=1)
    cidrs: list[Cidr] | None = None
    tier: Name | None = Field(
        None, description="For an address on a VPC: the tier of the instances it serves"
    )
