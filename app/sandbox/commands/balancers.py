"""Load-balancer rules: create (async-create), update, members in and out, delete, list;
the (always empty) list of their autoscale VM groups."""

from __future__ import annotations

from typing import Any

from app.sandbox.api import Answer, Ctx, command
from app.sandbox.commands.rules import (
    close_related,
    open_firewall,
    port_range,
    rule_conflict,
    rules_on_ip,
)
from app.sandbox.commands.staticnat import refuse_on_static_nat
from app.sandbox.errors import CS_SERVER_API, invalid_parameter
from app.sandbox.listing import check_known, list_body, public, visible
from app.sandbox.store import Row
from app.sandbox.vpc_addresses import join_tier, leave_tier_if_unused, opens_firewall, rule_network

ALGORITHMS = ("source", "roundrobin", "leastconn")


@command("createLoadBalancerRule")
def create_load_balancer_rule(ctx: Ctx) -> Answer:
    request = ctx.request
    address = ctx.entity("ips", "publicipid")
    # CreateLoadBalancerRuleCmd.create: getNetworkId and getOpenFirewall, then the manager's
    # createPublicLoadBalancerRule (a VPC address joins the tier) and createPublicLoadBalancer
    network = rule_network(
        ctx, address, f"IP address ID={address['_number']} is not associated with any network"
    )
    opens = opens_firewall(ctx, address)
    refuse_on_static_nat(
        address, "Unable to create load balancer rule; specified sourceip id has static nat enabled"
    )
    algorithm = request.require("algorithm")
    if algorithm not in ALGORITHMS:
        raise invalid_parameter(f"Invalid algorithm: {algorithm}")
    public_port, _ = port_range(ctx, "publicport", "publicport")
    private_port, _ = port_range(ctx, "privateport", "privateport")
    named = (request.require("name"), request.get("description") or "")
    protocol = (request.get("protocol") or "tcp").lower()
    row = balancer_row(ctx, address, network, named, (protocol, public_port, private_port))
    row["algorithm"], row["cidrlist"] = algorithm, request.get("cidrlist") or ""
    join_tier(address, network)
    if opens:
        open_firewall(ctx, address, row["protocol"], (public_port, public_port), row)
    ctx.state.table("load_balancers").add(row)

    def run() -> tuple[str, Row]:
        row["state"] = "Active"
        return "loadbalancer", row

    return ctx.submit(run, ("FirewallRule", row))


def balancer_row(
    ctx: Ctx,
    address: Row,
    network: Row,
    named: tuple[str, str],
    ports: tuple[str, int | None, int | None],
) -> Row:
    """A load balancer rule's row (LoadBalancingRulesManagerImpl.createPublicLoadBalancer):
    ``named`` its name and description, ``ports`` its protocol, public and private port;
    round robin until told otherwise. Checked against the address's rules (detectRulesConflict)."""
    protocol, public_port, private_port = ports
    row: Row = {
        "id": ctx.state.new_id(),
        "name": named[0],
        "description": named[1],
        "publicipid": address["id"],
        "publicip": address["ipaddress"],
        "publicport": str(public_port),
        "privateport": str(private_port),
        "algorithm": "roundrobin",
        "cidrlist": "",
        "protocol": protocol,
        **{
            key: address[key]
            for key in ("account", "domainid", "domain", "projectid", "project")
            if key in address
        },
        "state": "Add",
        "zoneid": address["zoneid"],
        "zonename": address["zonename"],
        "networkid": network["id"],
        "tags": [],
        "fordisplay": True,
        "_members": [],
        "_number": ctx.state.next_number("firewall_rules"),
    }
    rule_conflict("load_balancers", row, rules_on_ip(ctx, address["id"]), CS_SERVER_API)
    return row


def _members(ctx: Ctx, balancer: Row) -> list[Row]:
    vms = [
        ctx.entity("vms", "virtualmachineids", value)
        for value in ctx.request.ids("virtualmachineids")
    ]
    for vm in vms:
        if not any(nic["networkid"] == balancer["networkid"] for nic in vm["nic"]):
            raise invalid_parameter(
                f"VM {vm['name']} is not in the network of load balancer {balancer['name']}"
            )
    return vms


@command("assignToLoadBalancerRule")
def assign_to_load_balancer_rule(ctx: Ctx) -> Answer:
    balancer = ctx.entity("load_balancers", "id")
    vms = _members(ctx, balancer)

    def run() -> None:
        for vm in vms:
            if vm["id"] in balancer["_members"]:
                raise invalid_parameter(
                    f"VM {vm['name']} is already assigned to load balancer {balancer['name']}"
                )
            balancer["_members"].append(vm["id"])

    return ctx.submit(run)


@command("updateLoadBalancerRule")
def update_load_balancer_rule(ctx: Ctx) -> Answer:
    """LoadBalancingRulesManagerImpl.updateLoadBalancerRule: name, description and algorithm
    are set in the job. The manager checks no algorithm name there (the provider's config
    push, not modelled, is where a bad one would fail), so neither does the sandbox."""
    balancer = ctx.entity("load_balancers", "id")

    def run() -> tuple[str, Row]:
        for key in ("name", "description", "algorithm"):
            if ctx.request.get(key) is not None:
                balancer[key] = ctx.request.get(key)
        return "loadbalancer", balancer

    return ctx.submit(run, ("FirewallRule", balancer))


@command("removeFromLoadBalancerRule")
def remove_from_load_balancer_rule(ctx: Ctx) -> Answer:
    balancer = ctx.entity("load_balancers", "id")
    vms = _members(ctx, balancer)

    def run() -> None:
        balancer["_members"] = [
            member for member in balancer["_members"] if member not in {vm["id"] for vm in vms}
        ]

    return ctx.submit(run, ("FirewallRule", balancer))


@command("deleteLoadBalancerRule")
def delete_load_balancer_rule(ctx: Ctx) -> Answer:
    balancer = ctx.entity("load_balancers", "id")

    def run() -> None:
        ctx.state.table("load_balancers").remove(balancer["id"])
        close_related(ctx, balancer)
        leave_tier_if_unused(ctx.state, ctx.state.table("ips").get(balancer["publicipid"]))

    return ctx.submit(run, ("FirewallRule", balancer))


@command("listLoadBalancerRules")
def list_load_balancer_rules(ctx: Ctx) -> dict[str, Any]:
    address, network = ctx.request.get("publicipid"), ctx.request.get("networkid")

    def keep(row: Row) -> bool:
        return (not address or row["publicipid"] == address) and (
            not network or row["networkid"] == network
        )

    rows = visible(ctx.state, ctx.request, ctx.state.table("load_balancers"))
    return list_body(ctx.request, "loadbalancerrule", rows, keep)


@command("listLoadBalancerRuleInstances")
def list_load_balancer_rule_instances(ctx: Ctx) -> dict[str, Any]:
    balancer = ctx.entity("load_balancers", "id")
    vms = [ctx.state.table("vms").rows[member] for member in balancer["_members"]]
    return list_body(ctx.request, "loadbalancerruleinstance", vms, render=public, by_id=False)


@command("listAutoScaleVmGroups")
def list_auto_scale_vm_groups(ctx: Ctx) -> dict[str, Any]:
    """ListAutoScaleVmGroupsCmd: no group can be made here, so the list is empty; its UUID
    parameters are still looked up as ParamProcessWorker does (lbid names an LB rule)."""
    check_known(ctx.request, ctx.state.table("load_balancers"), "lbid")
    rows = visible(ctx.state, ctx.request, ctx.state.table("autoscale_vm_groups"))
    return list_body(ctx.request, "autoscalevmgroup", rows)
