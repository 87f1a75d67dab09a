"""Network ACL lists and their rules (NetworkACLServiceImpl), which filter a VPC tier's traffic."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from app.sandbox.api import Answer, Ctx, command
from app.sandbox.commands.vpcs import drop_acl_list
from app.sandbox.errors import invalid_parameter, runtime_error
from app.sandbox.listing import list_body, visible
from app.sandbox.store import NO_PROJECT, Row, owner
from app.sandbox.vpc_rows import DEFAULT_LISTS

PROTOCOLS = ("tcp", "udp", "icmp", "all")


def _is_default(acl: Row) -> bool:
    return "vpcid" not in acl and acl["name"] in DEFAULT_LISTS


def _with_defaults(ctx: Ctx, kind: str, scoped_by: str) -> Iterable[Row]:
    """Rows the caller may list. Named by ``scoped_by`` (a VPC, a list), the search is that
    one's after an access check, whatever the project; otherwise listNetworkACLLists adds vpc
    id 0 to the owner's VPCs searched: the default lists (and their rules) show for everyone."""
    if ctx.request.get(scoped_by):
        return ctx.state.table(kind)
    rows = list(visible(ctx.state, ctx.request, ctx.state.table(kind)))
    if ctx.request.get("projectid"):
        rows += ctx.state.table(kind).in_project(NO_PROJECT)
    return rows


# CreateNetworkACLListCmd (BaseAsyncCreateCmd): the list belongs to its VPC's owner.
@command("createNetworkACLList")
def create_network_acl_list(ctx: Ctx) -> Answer:
    vpc = ctx.entity("vpcs", "vpcid")
    name = ctx.request.require("name")
    acl = ctx.state.table("acl_lists").add(
        {
            "id": ctx.state.new_id(),
            "name": name,
            "description": ctx.request.get("description") or name,
            "vpcid": vpc["id"],
            "fordisplay": True,
            "_project": owner(vpc),
            "_number": ctx.state.next_number("acl_lists"),
        }
    )

    def run() -> tuple[str, Row]:
        return "networkacllist", acl

    return ctx.submit(run, ("NetworkAcl", acl))


# ListNetworkACLListsCmd (BaseListProjectAndAccountResourcesCmd, sync).
@command("listNetworkACLLists")
def list_network_acl_lists(ctx: Ctx) -> dict[str, Any]:
    vpc, network_id = ctx.request.get("vpcid"), ctx.request.get("networkid")
    network = ctx.state.table("networks").get(network_id) if network_id else None

    def keep(acl: Row) -> bool:
        return (not vpc or acl.get("vpcid") == vpc) and (
            not network_id or (network is not None and network.get("aclid") == acl["id"])
        )

    return list_body(ctx.request, "networkacllist", _with_defaults(ctx, "acl_lists", "vpcid"), keep)


# DeleteNetworkACLListCmd (BaseAsyncCmd): NetworkACLServiceImpl.deleteNetworkACL refuses the
# default lists; NetworkACLManagerImpl.deleteNetworkACL one a tier still uses.
@command("deleteNetworkACLList")
def delete_network_acl_list(ctx: Ctx) -> Answer:
    acl = ctx.entity("acl_lists", "id")

    def run() -> None:
        if _is_default(acl):
            raise invalid_parameter("Default ACL cannot be removed")
        used = [n for n in ctx.state.table("networks") if n.get("aclid") == acl["id"]]
        if used:
            raise runtime_error(
                f"ACL is still associated with {len(used)} tier(s). Cannot delete network ACL: "
                f"{acl['id']}"
            )
        drop_acl_list(ctx.state, acl)

    return ctx.submit(run, ("NetworkAcl", acl))


# UpdateNetworkACLListCmd (BaseAsyncCustomIdCmd): NetworkACLServiceImpl.updateNetworkACL, in
# the job; a blank name or description leaves the field as it was. A default list (vpc id 0,
# global) is refused only to a caller who is not Root Admin (PermissionDeniedException, "Must be
# Root Admin to update a global ACL."): the sandbox's caller is Root Admin, so none is refused.
@command("updateNetworkACLList")
def update_network_acl_list(ctx: Ctx) -> Answer:
    acl = ctx.entity("acl_lists", "id")
    changes: Row = {key: ctx.request.get(key) for key in ("name", "description")}
    changes = {key: value for key, value in changes.items() if value and value.strip()}
    if ctx.request.get("fordisplay") is not None:
        changes["fordisplay"] = ctx.request.flag("fordisplay")

    def run() -> tuple[str, Row]:
        acl.update(changes)
        for row in (*ctx.state.table("networks"), *ctx.state.table("acl_items")):
            if row.get("aclid") == acl["id"]:  # responses print the list's name as it is now
                row["aclname"] = acl["name"]
        return "networkacllist", acl

    return ctx.submit(run, ("NetworkAcl", acl))


def _writable(acl: Row) -> None:
    """NetworkACLServiceImpl.validateNetworkAcl."""
    if _is_default(acl):
        raise invalid_parameter("Default ACL cannot be modified")


def _number_free(ctx: Ctx, acl: Row, number: int, item_id: str | None = None) -> None:
    """validateAclRuleNumber: a number is used once per list."""
    if number < 1:
        raise invalid_parameter(f"Invalid number [{number}]. Number cannot be < 1")
    for item in ctx.state.table("acl_items"):
        if item["aclid"] == acl["id"] and item["number"] == number and item["id"] != item_id:
            raise invalid_parameter(
                f"ACL item with number {number} already exists in ACL: {acl['id']}"
            )


def _rule_fields(ctx: Ctx, item: Row) -> Row:
    """The rule's fields from the request over ``item``'s, checked as validateNetworkACLItem
    and validateNetworkAclRuleAction do."""
    request = ctx.request
    fields: Row = {}
    action = request.get("action")
    if action is not None:
        if action.lower() not in ("allow", "deny"):
            raise invalid_parameter(
                f"Invalid action [{action}]. Permitted actions are Allow and Deny"
            )
        fields["action"] = action.capitalize()
    traffic = request.get("traffictype")
    if traffic is not None:
        fields["traffictype"] = "Egress" if traffic.lower() == "egress" else "Ingress"
    for key in ("protocol", "reason"):
        if request.get(key) is not None:
            fields[key] = request.get(key)
    cidrs = request.ids("cidrlist")
    if cidrs:
        fields["cidrlist"] = ",".join(cidrs)
    for key in ("startport", "endport", "icmptype", "icmpcode"):
        value = request.number(key)
        if value is not None:
            fields[key] = str(value) if key.endswith("port") else value
    merged = {**item, **fields}
    protocol = str(merged["protocol"]).lower()
    if protocol not in PROTOCOLS and not protocol.isdigit():
        raise invalid_parameter(f"Invalid protocol: {merged['protocol']}")
    if protocol != "icmp" and ("icmptype" in merged or "icmpcode" in merged):
        raise invalid_parameter("Can specify icmpCode and icmpType for ICMP protocol only")
    if "startport" in merged and int(merged["startport"]) > int(merged.get("endport", 65535)):
        raise invalid_parameter("Start port can't be bigger than end port")
    if "startport" in merged and "endport" not in merged:
        fields["endport"] = merged["startport"]  # a single port: end = start
    return fields


# CreateNetworkACLCmd (BaseAsyncCreateCmd): NetworkACLServiceImpl.createNetworkACLItem; the
# list from aclid or from the tier's networkid; no number takes the list's highest plus one.
@command("createNetworkACL")
def create_network_acl(ctx: Ctx) -> Answer:
    request = ctx.request
    if request.get("aclid"):
        acl = ctx.entity("acl_lists", "aclid")
    elif request.get("networkid"):
        network = ctx.entity("networks", "networkid")
        if not network.get("vpcid"):
            raise invalid_parameter(f"Network: {network['id']} does not belong to VPC")
        acl = ctx.entity("acl_lists", "aclid", network["aclid"])
    else:
        raise invalid_parameter("Cannot create Network ACL Item. ACL Id or network Id is required")
    _writable(acl)
    number = request.number("number")
    if number is not None:
        _number_free(ctx, acl, number)
    else:
        used = [i["number"] for i in ctx.state.table("acl_items") if i["aclid"] == acl["id"]]
        number = max(used, default=0) + 1
    base: Row = {"protocol": request.require("protocol"), "traffictype": "Ingress"}
    base |= {"action": "Allow", "cidrlist": "0.0.0.0/0"}
    item: Row = {
        "id": ctx.state.new_id(),
        "aclid": acl["id"],
        "aclname": acl["name"],
        "number": number,
        "state": "Active",
        "fordisplay": True,
        "tags": [],
        "_project": owner(acl),
        **base,
    }
    item.update(_rule_fields(ctx, item))
    ctx.state.table("acl_items").add(item)

    def run() -> tuple[str, Row]:
        return "networkacl", item

    return ctx.submit(run, ("NetworkAclItem", item))


# ListNetworkACLsCmd (BaseListTaggedResourcesCmd, sync).
@command("listNetworkACLs")
def list_network_acls(ctx: Ctx) -> dict[str, Any]:
    request = ctx.request
    wanted = {key: request.get(key) for key in ("aclid", "protocol")}
    traffic, action = request.get("traffictype"), request.get("action")
    network_id = request.get("networkid")
    network = ctx.state.table("networks").get(network_id) if network_id else None

    def keep(item: Row) -> bool:
        return (
            all(not value or item[key] == value for key, value in wanted.items())
            and (not traffic or item["traffictype"].lower() == traffic.lower())
            and (not action or item["action"].lower() == action.lower())
            and (not network_id or (network is not None and network["aclid"] == item["aclid"]))
        )

    return list_body(request, "networkacl", _with_defaults(ctx, "acl_items", "aclid"), keep)


# UpdateNetworkACLItemCmd (BaseAsyncCustomIdCmd): NetworkACLServiceImpl.updateNetworkACLItem,
# the rule changed in place, keeping its id; a number another rule of the list has refused.
@command("updateNetworkACLItem")
def update_network_acl_item(ctx: Ctx) -> Answer:
    item = ctx.entity("acl_items", "id")
    acl = ctx.entity("acl_lists", "aclid", item["aclid"])
    number = ctx.request.number("number")

    def run() -> tuple[str, Row]:  # the checks run in the job (execute)
        _writable(acl)
        if number is not None:
            _number_free(ctx, acl, number, item["id"])
        item.update(_rule_fields(ctx, item))
        if number is not None:
            item["number"] = number
        return "networkacl", item

    return ctx.submit(run, ("NetworkAclItem", item))


# DeleteNetworkACLCmd (BaseAsyncCmd): NetworkACLServiceImpl.revokeNetworkACLItem.
@command("deleteNetworkACL")
def delete_network_acl(ctx: Ctx) -> Answer:
    item = ctx.entity("acl_items", "id")
    acl = ctx.entity("acl_lists", "aclid", item["aclid"])

    def run() -> None:
        if _is_default(acl):
            raise invalid_parameter("ACL Items in default ACL cannot be deleted")
        ctx.state.table("acl_items").remove(item["id"])

    return ctx.submit(run, ("NetworkAclItem", item))


# ReplaceNetworkACLListCmd (BaseAsyncCmd): NetworkACLServiceImpl.replaceNetworkACL; its texts
# print the internal ids.
@command("replaceNetworkACLList")
def replace_network_acl_list(ctx: Ctx) -> Answer:
    acl = ctx.entity("acl_lists", "aclid")
    network = ctx.entity("networks", "networkid")
    if not network.get("vpcid"):
        raise invalid_parameter(f"Network is not part of a VPC: {network['id']}")
    if not _is_default(acl) and acl["vpcid"] != network["vpcid"]:
        raise invalid_parameter(
            f"Network: {network['_number']} and ACL: {acl['_number']} do not belong to the same VPC"
        )

    def run() -> None:
        network.update(aclid=acl["id"], aclname=acl["name"])

    return ctx.submit(run, ("Network", network))
