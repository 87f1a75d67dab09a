"""Where a port forward or load balancer on a public address lands: a VPC's address joins the
tier the rule names and leaves it with its last rule (RulesManagerImpl,
LoadBalancingRulesManagerImpl, VpcManagerImpl.unassignIPFromVpcNetwork)."""

from __future__ import annotations

from app.sandbox.api import Ctx
from app.sandbox.errors import invalid_parameter
from app.sandbox.store import CloudState, Row

RULE_KINDS = ("port_forwards", "load_balancers")


def opens_firewall(ctx: Ctx, address: Row) -> bool:
    """Create{PortForwarding,LoadBalancer}RuleCmd.getOpenFirewall: true by default outside a
    VPC, false inside one, where true is refused."""
    in_vpc = bool(address.get("vpcid"))
    if ctx.request.get("openfirewall") is None:
        return not in_vpc
    wanted = ctx.request.flag("openfirewall")
    if wanted and in_vpc:
        raise invalid_parameter("Can't have openFirewall=true when IP address belongs to VPC")
    return wanted


def rule_network(ctx: Ctx, address: Row, missing: str) -> Row:
    """The network of a rule on ``address``: the address's own, else the tier ``networkid``
    names when it is in the address's VPC (``missing`` is the refusal when none is named)."""
    networks = ctx.state.table("networks")
    current = address.get("associatednetworkid")
    if current:
        return networks.rows[current]
    network = ctx.optional("networks", "networkid")
    if network is None:
        raise invalid_parameter(missing)
    if not network.get("vpcid") or network["vpcid"] != address.get("vpcid"):
        raise invalid_parameter(
            f"Ip address {address['ipaddress']} is not assigned to the network {network['name']}"
        )
    return network


def join_tier(address: Row, network: Row) -> None:
    """IpAddressManagerImpl.associateIPToGuestNetwork, once the rule's checks have passed."""
    address.update(associatednetworkid=network["id"], associatednetworkname=network["name"])


def leave_tier_if_unused(state: CloudState, address: Row | None) -> None:
    """VpcManagerImpl.unassignIPFromVpcNetwork: a VPC address with no static NAT and no rule
    left is on no tier again."""
    if address is None or not address.get("vpcid") or address["isstaticnat"]:
        return
    for kind in RULE_KINDS:
        if any(
            r.get("ipaddressid", r.get("publicipid")) == address["id"] for r in state.table(kind)
        ):
            return
    address.pop("associatednetworkid", None)
    address.pop("associatednetworkname", None)
