"""VPC offerings, VPCs and their tiers (VpcManagerImpl), as tenants build multi-tier networks."""

from __future__ import annotations

import ipaddress
from typing import Any

from app.sandbox.accounting import require
from app.sandbox.api import Answer, Ctx, command
from app.sandbox.commands.addresses import allocate_address, release_address
from app.sandbox.errors import CS_RESOURCE_ALLOCATION, invalid_parameter
from app.sandbox.listing import list_body, public, visible
from app.sandbox.store import CloudState, Row

VPC_LIMIT = 7  # Resource.ResourceType.vpc


def vpc_text(vpc: Row) -> str:
    """VpcVO.toString, as VpcManagerImpl's error texts print a VPC (its bracket left open)."""
    return f"[VPC [{vpc['_number']}-{vpc['name']}]"


def network_text(network: Row) -> str:
    """NetworkVO.toString: Ntwk[id|traffic type|network offering id]."""
    return f"Ntwk[{network['_number']}|{network['traffictype']}|{network['_offering_number']}]"


# ListVPCOfferingsCmd (BaseListCmd, sync): no owner, every offering is public.
@command("listVPCOfferings")
def list_vpc_offerings(ctx: Ctx) -> dict[str, Any]:
    state = ctx.request.get("state")
    return list_body(
        ctx.request,
        "vpcoffering",
        ctx.state.table("vpc_offerings"),
        lambda row: not state or row["state"].lower() == state.lower(),
    )


# CreateVPCCmd (BaseAsyncCreateCmd): create() runs VpcManagerImpl.createVpc at once (limit
# check, CIDR check, the row in state Enabled); execute() starts the VPC in the job.
@command("createVPC")
def create_vpc(ctx: Ctx) -> Answer:
    request = ctx.request
    zone = ctx.entity("zones", "zoneid")
    offering = ctx.entity("vpc_offerings", "vpcofferingid")
    project = ctx.project()
    require(ctx.state, project, {VPC_LIMIT: 1}, CS_RESOURCE_ALLOCATION)
    cidr = request.require("cidr")
    try:
        network = ipaddress.IPv4Network(cidr)
    except ValueError:
        raise invalid_parameter(f"Invalid CIDR specified {cidr}") from None
    name = request.require("name")
    vpc = ctx.state.table("vpcs").add(
        {
            "id": ctx.state.new_id(),
            "name": name,
            "displaytext": request.get("displaytext") or name,
            "state": "Enabled",
            "zoneid": zone["id"],
            "zonename": zone["name"],
            "cidr": str(network),
            "vpcofferingid": offering["id"],
            "vpcofferingname": offering["name"],
            "created": ctx.state.timestamp(),
            "restartrequired": False,
            "networkdomain": request.get("networkdomain") or "cs1cloud.internal",
            "fordisplay": True,
            "distributedvpcrouter": False,
            "redundantvpcrouter": False,
            "regionlevelvpc": False,
            "publicmtu": request.number("publicmtu") or 1500,
            **{key: zone[key] for key in ("dns1", "dns2") if key in zone},
            "tags": [],
            "hasannotations": False,
            **ctx.owner_fields(project),
            "service": offering["service"],
            "_number": ctx.state.next_number("vpcs"),
        }
    )

    def run() -> tuple[str, Row]:  # startVpc: the VPC router takes the source NAT address
        allocate_address(ctx.state, vpc, source_nat=True)
        return "vpc", shown(ctx.state, vpc)

    return ctx.submit(run, ("Vpc", vpc))


def shown(state: CloudState, vpc: Row) -> Row:
    """A VPC with its tiers under ``network`` (ApiResponseHelper.createVpcResponse)."""
    return {**public(vpc), "network": [public(tier) for tier in tiers(state, vpc)]}


def tiers(state: CloudState, vpc: Row) -> list[Row]:
    return [row for row in state.table("networks") if row.get("vpcid") == vpc["id"]]


# ListVPCsCmd (BaseListTaggedResourcesCmd, sync).
@command("listVPCs")
def list_vpcs(ctx: Ctx) -> dict[str, Any]:
    request = ctx.request
    filters = {key: request.get(key) for key in ("zoneid", "vpcofferingid", "cidr", "state")}

    def keep(row: Row) -> bool:
        return all(not value or row[key] == value for key, value in filters.items())

    rows = visible(ctx.state, request, ctx.state.table("vpcs"))
    return list_body(request, "vpc", rows, keep, lambda row: shown(ctx.state, row))


# UpdateVPCCmd (BaseAsyncCmd): name and display text, in the job.
@command("updateVPC")
def update_vpc(ctx: Ctx) -> Answer:
    vpc = ctx.entity("vpcs", "id")
    changes = {key: ctx.request.get(key) for key in ("name", "displaytext") if ctx.request.get(key)}

    def run() -> tuple[str, Row]:
        vpc.update(changes)
        return "vpc", shown(ctx.state, vpc)

    return ctx.submit(run, ("Vpc", vpc))


# DeleteVPCCmd (BaseAsyncCmd): VpcManagerImpl.destroyVpc refuses while tiers remain, then
# cleanupVpcResources releases the VPC's addresses and deletes its ACL lists.
@command("deleteVPC")
def delete_vpc(ctx: Ctx) -> Answer:
    vpc = ctx.entity("vpcs", "id")

    def run() -> None:
        count = len(tiers(ctx.state, vpc))
        if count:
            raise invalid_parameter(
                f"Can't delete VPC {vpc_text(vpc)} as its used by {count} networks"
            )
        for address in list(ctx.state.table("ips")):
            if address.get("vpcid") == vpc["id"]:
                release_address(ctx.state, address)
        for acl in list(ctx.state.table("acl_lists")):
            if acl.get("vpcid") == vpc["id"]:
                drop_acl_list(ctx.state, acl)
        ctx.state.table("vpcs").remove(vpc["id"])

    return ctx.submit(run, ("Vpc", vpc))


def drop_acl_list(state: CloudState, acl: Row) -> None:
    """NetworkACLManagerImpl.deleteNetworkACL: the list with its items."""
    for item in list(state.table("acl_items")):
        if item["aclid"] == acl["id"]:
            state.table("acl_items").remove(item["id"])
    state.table("acl_lists").remove(acl["id"])


def check_tier(ctx: Ctx, vpc: Row, offering: Row, cidr: ipaddress.IPv4Network | None) -> None:
    """NetworkServiceImpl.createGuestNetwork and VpcManagerImpl.validateNewVpcGuestNetwork,
    in their order: a VPC tier offering, gateway/netmask given, inside the VPC's CIDR, not
    crossing another tier's."""
    if not offering.get("forvpc"):
        raise invalid_parameter("Network offering can't be used for VPC networks")
    if cidr is None:
        raise invalid_parameter("Gateway/netmask are required when create network for VPC")
    if not cidr.subnet_of(ipaddress.IPv4Network(vpc["cidr"])):
        raise invalid_parameter(f"Network cidr {cidr} is not within vpc {vpc_text(vpc)} cidr")
    for tier in tiers(ctx.state, vpc):
        other = ipaddress.IPv4Network(tier["cidr"])
        if other.subnet_of(cidr) or cidr.subnet_of(other):
            raise invalid_parameter(
                f"Network cidr {cidr} crosses other network cidr {network_text(tier)} "
                f"belonging to the same vpc {vpc_text(vpc)}"
            )


def tier_fields(ctx: Ctx, vpc: Row, offering: Row) -> Row:
    """What a tier adds to a network: its VPC, its ACL (default_deny when none is named, as
    NetworkServiceImpl.createGuestNetwork does; a list of another VPC refused in its words),
    the gateway asked for, and the numbers its toString prints."""
    acl = ctx.optional("acl_lists", "aclid") or next(
        row for row in ctx.state.table("acl_lists") if row["name"] == "default_deny"
    )
    if acl.get("vpcid") not in (None, vpc["id"]):
        raise invalid_parameter(f"ACL: {ctx.request.get('aclid')} do not belong to the VPC")
    return {
        "vpcid": vpc["id"],
        "vpcname": vpc["name"],
        "aclid": acl["id"],
        "aclname": acl["name"],
        "gateway": ctx.request.get("gateway"),
        "networkdomain": vpc["networkdomain"],
        "_number": ctx.state.next_number("networks"),
        "_offering_number": offering["_number"],
    }
