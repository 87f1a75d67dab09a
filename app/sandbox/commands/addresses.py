"""Public IP addresses: associate (async-create), disassociate, list; source NAT addresses."""

from __future__ import annotations

from typing import Any

from app.sandbox.accounting import limit, usage
from app.sandbox.api import Answer, Ctx, command
from app.sandbox.errors import (
    CS_INSUFFICIENT_ADDRESS,
    INSUFFICIENT_CAPACITY,
    INTERNAL_ERROR,
    ApiError,
    invalid_parameter,
)
from app.sandbox.listing import list_body, visible
from app.sandbox.store import CloudState, Row

ACCOUNT_ERROR_LIMIT = 532
CS_ACCOUNT_LIMIT = 4280
RULE_KINDS = ("firewall", "port_forwards", "load_balancers")


SOURCE_NAT_IN_USE = "IP address is used for source nat purposes and can not be disassociated."


def _has_source_nat_service(network: Row) -> bool:
    return any(service["name"] == "SourceNat" for service in network["service"])


def _source_nat_of(state: CloudState, network: Row) -> Row | None:
    """IpAddressManagerImpl.getExistingSourceNatInNetwork."""
    return next(
        (
            row
            for row in state.table("ips")
            if row.get("associatednetworkid") == network["id"] and row["issourcenat"]
        ),
        None,
    )


def implement(state: CloudState, network: Row) -> None:
    """First use of an isolated network: its router takes the network's source NAT address,
    the one already associated or a new one (assignSourceNatIpAddressToGuestNetwork)."""
    if network["state"] == "Implemented":
        return
    network["state"] = "Implemented"
    if network.get("vpcid"):  # a tier uses its VPC's source NAT address (createVPC's job)
        return
    if _has_source_nat_service(network) and _source_nat_of(state, network) is None:
        allocate_address(state, network, source_nat=True)


def becomes_source_nat(state: CloudState, network: Row) -> bool:
    """IpAddressManagerImpl.isSourceNatAvailableForNetwork: the first address associated to
    an isolated network (no VPC, not portable) that has none becomes its source NAT."""
    return (
        network["type"] == "Isolated"
        and not network.get("vpcid")
        and _source_nat_of(state, network) is None
    )


def allocate_address(state: CloudState, network: Row, source_nat: bool = False) -> Row:
    prefix = f"{network['zoneid']}/"
    free = next((entry for entry in state.public_pool if entry.startswith(prefix)), None)
    if free is None:
        raise ApiError(
            INSUFFICIENT_CAPACITY,
            "Insufficient address capacity; there are no free public IP addresses in zone "
            f"{network['zonename']}",
            CS_INSUFFICIENT_ADDRESS,
        )
    state.public_pool.remove(free)
    owner: Row = {
        key: network[key]
        for key in ("account", "domainid", "domain", "projectid", "project")
        if key in network
    }
    if "vpcofferingid" in network:  # a VPC's address: on the VPC, on no tier until used
        place: Row = {"vpcid": network["id"], "vpcname": network["name"]}
    else:
        place = {"associatednetworkid": network["id"], "associatednetworkname": network["name"]}
    return state.table("ips").add(
        {
            "id": state.new_id(),
            "ipaddress": free.removeprefix(prefix),
            "allocated": state.timestamp(),
            "zoneid": network["zoneid"],
            "zonename": network["zonename"],
            "issourcenat": source_nat,
            **owner,
            "forvirtualnetwork": True,
            "isstaticnat": False,
            "issystem": False,
            **place,
            "networkid": state.account.domain_id,  # the physical network, as new_network says
            "state": "Allocated",
            "_number": state.next_number("ips"),
            "isportable": False,
            "fordisplay": True,
            "hasrules": False,
            "tags": [],
            "hasannotations": False,
        }
    )


# AssociateIPAddrCmd (BaseAsyncCreateCmd): to a network, or to a VPC (vpcid), where it
# stays on no tier until static NAT or a rule uses it.
@command("associateIpAddress")
def associate_ip_address(ctx: Ctx) -> Answer:
    vpc = ctx.optional("vpcs", "vpcid")
    network = vpc if vpc is not None else ctx.entity("networks", "networkid")
    project = ctx.project()
    if project and vpc is None and network.get("projectid") != project["id"]:
        raise invalid_parameter(
            f"Network {network['id']} does not belong to project {project['name']}"
        )
    if project:
        cap = limit(ctx.state, project["id"], 1)
        if 0 <= cap <= usage(ctx.state, project["id"])[1]:
            raise ApiError(
                ACCOUNT_ERROR_LIMIT,
                "Maximum number of public IP addresses for account: "
                f"{project['projectaccountname']} has been exceeded.",
                CS_ACCOUNT_LIMIT,
            )
    address = allocate_address(ctx.state, network)
    address["state"] = "Allocating"

    def run() -> tuple[str, Row]:  # associateIPToGuestNetwork runs in the job
        address["issourcenat"] = vpc is None and becomes_source_nat(ctx.state, network)
        address["state"] = "Allocated"
        return "ipaddress", address

    return ctx.submit(run, ("IpAddress", address))


@command("disassociateIpAddress")
def disassociate_ip_address(ctx: Ctx) -> Answer:
    address = ctx.entity("ips", "id")

    def run() -> None:
        # NetworkServiceImpl.releaseIpAddressInternal, inside the job: the IllegalArgumentException
        # fails it with 530 (ApiAsyncJobDispatcher); an Allocated network may still let it go.
        network = ctx.state.table("networks").get(address.get("associatednetworkid", ""))
        if address["issourcenat"] and network is not None and network["state"] != "Allocated":
            raise ApiError(INTERNAL_ERROR, SOURCE_NAT_IN_USE)
        release_address(ctx.state, address)

    return ctx.submit(run, ("IpAddress", address))


def release_address(state: CloudState, address: Row) -> None:
    """The address, its rules gone, back in its zone's free pool."""
    for kind in RULE_KINDS:
        for rule in list(state.table(kind)):
            if rule.get("ipaddressid", rule.get("publicipid")) == address["id"]:
                state.table(kind).remove(rule["id"])
    state.table("ips").remove(address["id"])
    state.public_pool.append(f"{address['zoneid']}/{address['ipaddress']}")


@command("listPublicIpAddresses")
def list_public_ip_addresses(ctx: Ctx) -> dict[str, Any]:
    request = ctx.request
    network, address = request.get("associatednetworkid"), request.get("ipaddress")
    vpc = request.get("vpcid")
    flags = {key: request.get(key) for key in ("issourcenat", "isstaticnat")}

    def keep(row: Row) -> bool:
        return (
            (not network or row.get("associatednetworkid") == network)
            and (not vpc or row.get("vpcid") == vpc)
            and (not address or row["ipaddress"] == address)
            and all(
                value is None or row[key] == (value.lower() == "true")
                for key, value in flags.items()
            )
        )

    rows = visible(ctx.state, request, ctx.state.table("ips"))
    return list_body(request, "publicipaddress", rows, keep, exact_name=True)
