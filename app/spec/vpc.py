"""VPCs, their tiers and network ACL lists: the networks of a multi-tier application."""

from __future__ import annotations

import ipaddress
from typing import Annotated, Any, Literal, Self

from pydantic import Field, PlainValidator, WithJsonSchema, model_validator

from app.spec.base import Resource, Strict
from app.spec.fields import Cidr, Name, bad_value
from app.spec.traffic import TrafficRule

# The ACL lists every VPC has (NetworkACL.DEFAULT_ALLOW / DEFAULT_DENY): a tier may name them
# without defining them, and a tier that names none gets default_deny, as CloudStack does.
DEFAULT_ACLS = ("default_allow", "default_deny")
PROTOCOLS = ("tcp", "udp", "icmp", "all")


def _protocol(value: Any) -> str | int:
    if value in PROTOCOLS or (type(value) is int and 0 <= value <= 255):
        return value  # type: ignore[no-any-return]
    raise bad_value(
        f"'{value}' is not a protocol", "write tcp, udp, icmp, all or a protocol number 0-255"
    )


Protocol = Annotated[
    str | int,
    PlainValidator(_protocol),
    WithJsonSchema(
        {"oneOf": [{"enum": list(PROTOCOLS)}, {"type": "integer", "minimum": 0, "maximum": 255}]}
    ),
]


class Tier(Resource):
    """A network inside a VPC: its own subnet of the VPC's CIDR, and one ACL list."""

    offering: str = Field(description="Network offering for VPC tiers")
    cidr: Cidr | None = Field(None, description="The tier's CIDR inside the VPC's, or gateway")
    gateway: str | None = Field(None, description="Gateway address, with netmask, instead of cidr")
    netmask: str | None = Field(None, description="Netmask, e.g. 255.255.255.0, with gateway")
    acl: Name = Field("default_deny", description="ACL list from network_acls, or a default")
    description: str = ""

    @model_validator(mode="after")
    def _subnet_given_once(self) -> Self:
        if (self.cidr is None) == (self.gateway is None and self.netmask is None):
            raise bad_value("a tier has a cidr, or a gateway and netmask", "write one of them")
        if self.cidr is None and (self.gateway is None or self.netmask is None):
            raise bad_value("gateway and netmask go together", "write both, or a cidr")
        subnet = self.subnet  # raises on a gateway or netmask that is not an address
        if self.gateway_ip in (str(subnet.network_address), str(subnet.broadcast_address)):
            raise bad_value(
                f"gateway {self.gateway_ip} is not a host of {subnet}", "use e.g. its first host"
            )
        return self

    @property
    def subnet(self) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
        if self.cidr is not None:
            return ipaddress.ip_network(self.cidr)
        try:
            return ipaddress.ip_network(f"{self.gateway}/{self.netmask}", strict=False)
        except ValueError:
            raise bad_value(
                f"'{self.gateway}' / '{self.netmask}' is not a gateway and netmask",
                "write them like 10.1.1.1 and 255.255.255.0",
            ) from None

    @property
    def gateway_ip(self) -> str:
        """As written, or the first host of the CIDR (CloudStack's own choice)."""
        return self.gateway or str(next(self.subnet.hosts()))


class Vpc(Resource):
    offering: str = Field(description="VPC offering name")
    cidr: Cidr = Field(description="Super CIDR of the VPC; every tier lies inside it")
    zone: str | None = Field(None, description="Zone; defaults to the project's zone")
    description: str = ""
    tiers: dict[Name, Tier] = Field(
        default_factory=dict, description="Tiers by name; they are networks of the project"
    )


class AclRule(TrafficRule):
    """One numbered rule of an ACL list; its number is its identity and its evaluation order."""

    number: int = Field(ge=1, description="Rule number: stable, evaluated lowest first")
    action: Literal["allow", "deny"]
    traffic: Literal["ingress", "egress"]
    protocol: Protocol = Field(description="tcp, udp, icmp, all, or an IP protocol number")
    cidrs: list[Cidr] = Field(min_length=1, description="Sources (ingress) or destinations")


class NetworkAcl(Strict):
    """A named ACL list of one VPC (createNetworkACLList takes the VPC)."""

    vpc: Name = Field(description="The VPC the list belongs to")
    description: str = ""
    rules: list[AclRule] = Field(default_factory=list)
