"""Isolated guest networks: create (sync), update and delete (async), and list."""

from __future__ import annotations

import ipaddress
from typing import Any

from app.sandbox.accounting import require
from app.sandbox.api import Answer, Ctx, command
from app.sandbox.commands.addresses import release_address
from app.sandbox.commands.vpcs import check_tier, tier_fields
from app.sandbox.errors import CS_RESOURCE_ALLOCATION, invalid_parameter, runtime_error
from app.sandbox.listing import list_body, public, visible
from app.sandbox.network_rows import network_row
from app.sandbox.store import Row

DEFAULT_CIDR = "10.1.1.0/24"


@command("createNetwork")
def create_network(ctx: Ctx) -> dict[str, Any]:
    request = ctx.request
    offering = ctx.entity("network_offerings", "networkofferingid")
    zone = ctx.entity("zones", "zoneid")
    project = ctx.project()
    require(ctx.state, project, {6: 1}, CS_RESOURCE_ALLOCATION)
    gateway, netmask = request.get("gateway"), request.get("netmask")
    if bool(gateway) != bool(netmask):
        raise invalid_parameter("gateway/netmask are required when create network of type Isolated")
    given = ipaddress.IPv4Interface(f"{gateway}/{netmask}").network if gateway else None
    vpc = ctx.optional("vpcs", "vpcid")
    if vpc is not None:
        check_tier(ctx, vpc, offering, given)
    elif offering.get("forvpc"):
        raise invalid_parameter("Network offering can be used for VPC networks only")
    cidr = given or ipaddress.IPv4Network(DEFAULT_CIDR)
    name = request.require("name")
    row = new_network(ctx, name, request.get("displaytext") or name, offering, zone, project, cidr)
    if vpc is not None:
        row.update(tier_fields(ctx, vpc, offering))
    return {"network": public(ctx.state.table("networks").add(row))}


def new_network(
    ctx: Ctx,
    name: str,
    text: str,
    offering: Row,
    zone: Row,
    project: Row | None,
    cidr: ipaddress.IPv4Network | ipaddress.IPv6Network,
) -> Row:
    return network_row(ctx.state, name, text, offering, zone, ctx.owner_fields(project), cidr)


def next_guest_ip(network: Row) -> str:
    cidr = ipaddress.ip_network(network["cidr"])
    address = str(cidr.network_address + network["_next_host"])
    network["_next_host"] += 1
    return address


@command("updateNetwork")
def update_network(ctx: Ctx) -> Answer:
    network = ctx.entity("networks", "id")
    changes = {key: ctx.request.get(key) for key in ("name", "displaytext") if ctx.request.get(key)}

    def run() -> tuple[str, Row]:
        network.update(changes)
        return "network", network

    return ctx.submit(run, ("Network", network))


@command("deleteNetwork")
def delete_network(ctx: Ctx) -> Answer:
    network = ctx.entity("networks", "id")

    def run() -> None:
        for vm in ctx.state.table("vms"):
            if (
                any(nic["networkid"] == network["id"] for nic in vm["nic"])
                and vm["state"] != "Expunging"
            ):
                raise runtime_error(
                    "Can't delete the network, not all user vms are expunged. "
                    f"Vm {vm['name']} is in "
                    f"{vm['state']} state"
                )
        # NetworkOrchestrator.cleanupNetworkResources: every address of the network (its
        # source NAT one too) is released with its rules.
        for address in list(ctx.state.table("ips")):
            if address.get("associatednetworkid") == network["id"]:
                release_address(ctx.state, address)
        ctx.state.table("networks").remove(network["id"])

    return ctx.submit(run, ("Network", network))


@command("listNetworks")
def list_networks(ctx: Ctx) -> dict[str, Any]:
    zone = ctx.request.get("zoneid")
    rows = visible(ctx.state, ctx.request, ctx.state.table("networks"))
    return list_body(ctx.request, "network", rows, lambda row: not zone or row["zoneid"] == zone)
