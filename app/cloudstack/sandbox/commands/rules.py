"""Firewall, egress and port-forwarding rules: create (async-create), delete (async), list."""

from __future__ import annotations

from typing import Any

from app.cloudstack.sandbox.api import Answer, Ctx, command
from app.cloudstack.sandbox.errors import (
    CS_NETWORK_RULE_CONFLICT,
    NETWORK_RULE_CONFLICT,
    ApiError,
    invalid_parameter,
)
from app.cloudstack.sandbox.listing import list_body, visible
from app.cloudstack.sandbox.store import Row

PROTOCOLS = ("tcp", "udp", "icmp")


def _ports(ctx: Ctx, start_name: str, end_name: str) -> tuple[int | None, int | None]:
    start = ctx.request.number(start_name)
    end = ctx.request.number(end_name, start)
    for port in (start, end):
        if port is not None and not 1 <= port <= 65535:
            raise invalid_parameter(f"Invalid port range {start}-{end}")
    if start is not None and end is not None and start > end:
        raise invalid_parameter(f"Start port can't be bigger than end port: {start} > {end}")
    return start, end


def _protocol(ctx: Ctx, allowed: tuple[str, ...]) -> str:
    protocol = ctx.request.require("protocol").lower()
    if protocol not in allowed:
        raise invalid_parameter(
            f"Invalid protocol {protocol}; supported protocols: {', '.join(allowed)}"
        )
    return protocol


def _conflict(rows: list[Row], protocol: str, start: int | None, end: int | None) -> None:
    for other in rows:
        if other["protocol"] != protocol or other.get("startport") is None or start is None:
            continue
        low, high = int(other["startport"]), int(other.get("endport") or other["startport"])
        if start <= high and (end or start) >= low:
            raise ApiError(
                NETWORK_RULE_CONFLICT,
                f"The range specified, {start}-{end}, conflicts with rule {other['id']} "
                f"which has {low}-{high}",
                CS_NETWORK_RULE_CONFLICT,
            )


def _rule(ctx: Ctx, kind: str, row: Row) -> Answer:
    ctx.state.table(kind).add(row)

    def run() -> tuple[str, Row]:
        row["state"] = "Active"
        return "firewallrule" if kind in ("firewall", "egress") else "portforwardingrule", row

    return ctx.submit(run, ("FirewallRule", row))


def _rule_fields(ctx: Ctx, protocol: str, start: int | None, end: int | None, cidrs: str) -> Row:
    row: Row = {
        "id": ctx.state.new_id(),
        "protocol": protocol,
        "state": "Add",
        "cidrlist": cidrs,
        "tags": [],
        "fordisplay": True,
    }
    if protocol == "icmp":
        row.update(
            icmptype=ctx.request.number("icmptype", -1), icmpcode=ctx.request.number("icmpcode", -1)
        )
    elif start is not None:
        row.update(startport=start, endport=end)
    return row


@command("createFirewallRule")
def create_firewall_rule(ctx: Ctx) -> Answer:
    address = ctx.entity("ips", "ipaddressid")
    protocol = _protocol(ctx, PROTOCOLS)
    start, end = _ports(ctx, "startport", "endport")
    same_ip = [r for r in ctx.state.table("firewall") if r["ipaddressid"] == address["id"]]
    _conflict(same_ip, protocol, start, end)
    row = _rule_fields(ctx, protocol, start, end, ctx.request.get("cidrlist") or "0.0.0.0/0")
    row.update(
        ipaddressid=address["id"],
        ipaddress=address["ipaddress"],
        networkid=address["associatednetworkid"],
        traffictype="Ingress",
        _project=address.get("projectid", ""),
    )
    return _rule(ctx, "firewall", row)


@command("createEgressFirewallRule")
def create_egress_firewall_rule(ctx: Ctx) -> Answer:
    network = ctx.entity("networks", "networkid")
    protocol = _protocol(ctx, (*PROTOCOLS, "all"))
    start, end = _ports(ctx, "startport", "endport")
    row = _rule_fields(ctx, protocol, start, end, ctx.request.get("cidrlist") or network["cidr"])
    row.update(
        networkid=network["id"],
        traffictype="Egress",
        _project=network.get("projectid", ""),
        destcidrlist=ctx.request.get("destcidrlist") or "0.0.0.0/0",
    )
    return _rule(ctx, "egress", row)


@command("createPortForwardingRule")
def create_port_forwarding_rule(ctx: Ctx) -> Answer:
    address = ctx.entity("ips", "ipaddressid")
    vm = ctx.entity("vms", "virtualmachineid")
    protocol = _protocol(ctx, ("tcp", "udp"))
    public = _ports(ctx, "publicport", "publicendport")
    private = _ports(ctx, "privateport", "privateendport")
    nic = next((n for n in vm["nic"] if n["networkid"] == address["associatednetworkid"]), None)
    if nic is None:
        raise invalid_parameter(
            f"Unable to create port forwarding rule: VM {vm['name']} is not in the network "
            f"of IP {address['ipaddress']}"
        )
    same_ip = [r for r in ctx.state.table("port_forwards") if r["ipaddressid"] == address["id"]]
    clashing = [{**r, "startport": r["publicport"], "endport": r["publicendport"]} for r in same_ip]
    _conflict(clashing, protocol, public[0], public[1])
    row: Row = {
        "id": ctx.state.new_id(),
        "privateport": str(private[0]),
        "privateendport": str(private[1]),
        "publicport": str(public[0]),
        "publicendport": str(public[1]),
        "protocol": protocol,
        "virtualmachineid": vm["id"],
        "virtualmachinename": vm["name"],
        "virtualmachinedisplayname": vm["displayname"],
        "ipaddressid": address["id"],
        "ipaddress": address["ipaddress"],
        "state": "Add",
        "cidrlist": ctx.request.get("cidrlist") or "",
        "networkid": address["associatednetworkid"],
        "vmguestip": nic["ipaddress"],
        "tags": [],
        "fordisplay": True,
        "_project": address.get("projectid", ""),
    }
    if ctx.request.flag(
        "openfirewall", default=True
    ):  # the default opens the port in the firewall too
        opened = _rule_fields(ctx, protocol, public[0], public[1], row["cidrlist"] or "0.0.0.0/0")
        opened.update(
            ipaddressid=address["id"],
            ipaddress=address["ipaddress"],
            state="Active",
            networkid=address["associatednetworkid"],
            traffictype="Ingress",
            _project=address.get("projectid", ""),
        )
        ctx.state.table("firewall").add(opened)
    return _rule(ctx, "port_forwards", row)


def _delete(ctx: Ctx, kind: str) -> Answer:
    row = ctx.entity(kind, "id")
    row["state"] = "Revoke"

    def run() -> None:
        ctx.state.table(kind).remove(row["id"])

    return ctx.submit(run, ("FirewallRule", row))


@command("deleteFirewallRule")
def delete_firewall_rule(ctx: Ctx) -> Answer:
    return _delete(ctx, "firewall")


@command("deleteEgressFirewallRule")
def delete_egress_firewall_rule(ctx: Ctx) -> Answer:
    return _delete(ctx, "egress")


@command("deletePortForwardingRule")
def delete_port_forwarding_rule(ctx: Ctx) -> Answer:
    return _delete(ctx, "port_forwards")


def _listing(ctx: Ctx, kind: str, key: str, by: tuple[str, ...]) -> dict[str, Any]:
    wanted = {field: ctx.request.get(field) for field in by}

    def keep(row: Row) -> bool:
        return all(not value or row.get(field) == value for field, value in wanted.items())

    return list_body(ctx.request, key, visible(ctx.state, ctx.request, ctx.state.table(kind)), keep)


@command("listFirewallRules")
def list_firewall_rules(ctx: Ctx) -> dict[str, Any]:
    return _listing(ctx, "firewall", "firewallrule", ("ipaddressid", "networkid"))


@command("listEgressFirewallRules")
def list_egress_firewall_rules(ctx: Ctx) -> dict[str, Any]:
    return _listing(ctx, "egress", "firewallrule", ("networkid",))


@command("listPortForwardingRules")
def list_port_forwarding_rules(ctx: Ctx) -> dict[str, Any]:
    return _listing(ctx, "port_forwards", "portforwardingrule", ("ipaddressid", "networkid"))


@command("listIpForwardingRules")
def list_ip_forwarding_rules(_ctx: Ctx) -> dict[str, Any]:
    return {}  # static NAT is not modelled: no IP forwarding rules exist
