"""Security groups (per-VM filtering in zones that use them) and affinity groups."""

from __future__ import annotations

from typing import Any, Literal, Self

from pydantic import Field, model_validator

from app.spec.base import Strict
from app.spec.fields import Cidr, Name, PortRange, bad_value
from app.spec.traffic import TrafficRule

# Every account and project has one, made by CloudStack: instances may name it, the repo
# cannot define it.
DEFAULT_SECURITY_GROUP = "default"


class GroupPorts(PortRange):
    """authorizeSecurityGroupRule takes ports from 0, and keeps 0-0 as 0-65535: written so,
    it would never read back as written."""

    LOWEST = 0

    @classmethod
    def parse(cls, value: Any) -> PortRange:
        ports = super().parse(value)
        if ports.end == 0:
            raise bad_value(
                "CloudStack keeps port 0 of a security group as 0-65535", "write 0-65535"
            )
        return ports


class SecurityGroupRule(TrafficRule):
    protocol: Literal["tcp", "udp", "icmp", "all"]
    ports: GroupPorts | None = Field(None, description="443 or '8000-8100'; not for icmp")
    cidrs: list[Cidr] | None = Field(None, description="Sources (ingress) or destinations")
    group: Name | None = Field(None, description="Another security group, instead of cidrs")

    @model_validator(mode="after")
    def _one_peer(self) -> Self:
        if (self.cidrs is None) == (self.group is None):
            raise bad_value("a rule names cidrs or a group", "write cidrs: or group:")
        return self

    @model_validator(mode="after")
    def _ports_given(self) -> Self:
        """SecurityGroupManagerImpl.authorizeSecurityGroupRule refuses tcp and udp without a
        port range ("Invalid port range specified", 431), unlike firewall and ACL rules."""
        if self.protocol in ("tcp", "udp") and self.ports is None:
            raise bad_value(
                f"a {self.protocol} rule of a security group needs ports",
                "write e.g. ports: 443, or ports: 1-65535 for every port",
            )
        return self


class SecurityGroup(Strict):
    description: str = ""
    ingress: list[SecurityGroupRule] = Field(default_factory=list)
    egress: list[SecurityGroupRule] = Field(default_factory=list)


class AffinityGroup(Strict):
    type: str = Field(
        min_length=1, description="An affinity group type the cloud lists, e.g. host anti-affinity"
    )
    description: str = ""
