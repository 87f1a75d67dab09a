"""Static NAT of a public address to a VM (RulesManagerImpl), exclusive of the address's
port forwards and load balancers."""

from __future__ import annotations

from typing import Any

from app.sandbox.api import Answer, Ctx, command
from app.sandbox.errors import NETWORK_RULE_CONFLICT, ApiError, invalid_parameter
from app.sandbox.store import Row

RULE_PURPOSES = (("port_forwards", "PortForwarding"), ("load_balancers", "LoadBalancing"))
VM_FIELDS = ("virtualmachineid", "virtualmachinename", "virtualmachinedisplayname")


def ip_text(ctx: Ctx, address: Row) -> str:
    """IPAddressVO.toString: Ip[address-zone id]."""
    zone = ctx.state.table("zones").get(address["zoneid"]) or {}
    return f"Ip[{address['ipaddress']}-{zone.get('_number', 1)}]"


def vm_number(vm: Row) -> str:
    """The VM's internal id, as its instance name i-2-<id>-VM carries it."""
    return str(vm["instancename"].split("-")[2])


def refuse_on_static_nat(address: Row, text: str) -> None:
    """createPortForwardingRule and createLoadBalancerRule refuse an address with static NAT."""
    if address["isstaticnat"]:
        raise invalid_parameter(text)


def _network_of(ctx: Ctx, address: Row) -> Row:
    """The address's network, a VPC address taking the tier ``networkid`` names."""
    network = ctx.optional("networks", "networkid")
    current = address.get("associatednetworkid")
    if network is not None and current and current != network["id"]:
        raise invalid_parameter(
            f"Invalid network Id={network.get('_number', network['id'])}. IP is associated "
            "with a different network than passed network id"
        )
    if network is None and not current:
        raise invalid_parameter(
            f"Ip address {ip_text(ctx, address)} is not assigned to the network null"
        )
    return network or ctx.entity("networks", "networkid", str(current))


def _ready(ctx: Ctx, address: Row, vm: Row, nic_ip: str) -> None:
    """RulesManagerImpl.isIpReadyForStaticNat, in its order."""
    if address["issourcenat"]:
        raise invalid_parameter(
            f"Can't enable static, ip address {ip_text(ctx, address)} is a sourceNat ip address"
        )
    if not address["isstaticnat"]:
        for kind, purpose in (
            ("port_forwards", "PortForwarding"),
            ("load_balancers", "LoadBalancing"),
        ):
            if any(
                rule.get("ipaddressid", rule.get("publicipid")) == address["id"]
                for rule in ctx.state.table(kind)
            ):
                raise ApiError(  # NetworkRuleConflictException, rethrown as ServerApiException
                    NETWORK_RULE_CONFLICT,
                    f"Failed to enable static nat for the ip address {ip_text(ctx, address)} as "
                    f"it already has {purpose} rules assigned",
                )
    elif address.get("virtualmachineid") != vm["id"]:
        raise ApiError(
            NETWORK_RULE_CONFLICT,
            f"Failed to enable static for the ip address {ip_text(ctx, address)} and vm "
            f"id={vm_number(vm)} as it's already assigned to antoher vm",
        )
    for other in ctx.state.table("ips"):
        same_vm = other.get("virtualmachineid") == vm["id"] and other["id"] != address["id"]
        if same_vm and other.get("vmipaddress") == nic_ip:
            raise invalid_parameter(
                f"Failed to enable static nat for the ip address id={address['_number']} as "
                f"vm id={vm_number(vm)} is already associated with ip id={other['_number']}"
            )


# EnableStaticNatCmd (BaseCmd, sync): RulesManagerImpl.enableStaticNat; a VPC address is
# associated with the tier ``networkid`` names.
@command("enableStaticNat")
def enable_static_nat(ctx: Ctx) -> dict[str, Any]:
    address = ctx.entity("ips", "ipaddressid")
    vm = ctx.entity("vms", "virtualmachineid")
    network = _network_of(ctx, address)
    nic = next((n for n in vm["nic"] if n["networkid"] == network["id"]), None)
    if nic is None:
        raise invalid_parameter("Vm doesn't belong to the network with specified id")
    _ready(ctx, address, vm, nic["ipaddress"])
    address.update(
        associatednetworkid=network["id"],
        associatednetworkname=network["name"],
        isstaticnat=True,
        virtualmachineid=vm["id"],
        virtualmachinename=vm["name"],
        virtualmachinedisplayname=vm["displayname"],
        virtualmachinetype="User",
        vmipaddress=nic["ipaddress"],
    )
    return {"success": True}


# DisableStaticNatCmd (BaseAsyncCmd): RulesManagerImpl.disableStaticNat in the job; a VPC
# address leaves its tier again (VpcManagerImpl.unassignIPFromVpcNetwork).
@command("disableStaticNat")
def disable_static_nat(ctx: Ctx) -> Answer:
    address = ctx.entity("ips", "ipaddressid")

    def run() -> None:
        if not address["isstaticnat"]:
            raise invalid_parameter("One to one nat is not enabled for the specified ip id")
        release_static_nat(address)

    return ctx.submit(run, ("IpAddress", address))


def release_static_nat(address: Row) -> None:
    for key in (*VM_FIELDS, "virtualmachinetype", "vmipaddress"):
        address.pop(key, None)
    address["isstaticnat"] = False
    if address.get("vpcid"):
        address.pop("associatednetworkid", None)
        address.pop("associatednetworkname", None)
