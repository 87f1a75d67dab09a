"""Firewall, egress and port-forwarding rules: create (async-create), delete (async), list."""

from __future__ import annotations

from typing import Any

from app.sandbox.api import Answer, Ctx, command
from app.sandbox.commands.staticnat import refuse_on_static_nat
from app.sandbox.errors import (
    CS_NETWORK_RULE_CONFLICT,
    CS_SERVER_API,
    NETWORK_RULE_CONFLICT,
    ApiError,
    invalid_parameter,
)
from app.sandbox.listing import list_body, visible
from app.sandbox.store import Row
from app.sandbox.vpc_addresses import join_tier, leave_tier_if_unused, opens_firewall, rule_network

PROTOCOLS = ("tcp", "udp", "icmp")
RULE_TABLES = ("firewall", "port_forwards", "load_balancers")  # rules on a public IP


def port_range(ctx: Ctx, start_name: str, end_name: str) -> tuple[int | None, int | None]:
    """A port range as FirewallManagerImpl.validateFirewallRule accepts it."""
    start = ctx.request.number(start_name)
    end = ctx.request.number(end_name, start)
    if start is not None and not 1 <= start <= 65535:
        raise invalid_parameter(f"publicPort is an invalid value: {start}")
    if end is not None and not 1 <= end <= 65535:
        raise invalid_parameter(f"Public port range is an invalid value: {end}")
    if start is not None and end is not None and start > end:
        raise invalid_parameter("Start port can't be bigger than end port")
    return start, end


def _protocol(ctx: Ctx, allowed: tuple[str, ...]) -> str:
    protocol = ctx.request.require("protocol").lower()
    if protocol not in allowed:
        raise invalid_parameter(
            f"Invalid protocol {protocol}; supported protocols: {', '.join(allowed)}"
        )
    return protocol


def source_ports(row: Row) -> tuple[int | None, int | None]:
    """The public port range of any rule on an IP (firewall, port forwarding, LB)."""
    if "publicport" in row:
        return int(row["publicport"]), int(row.get("publicendport") or row["publicport"])
    return row.get("startport"), row.get("endport")


def _cidrs(row: Row, key: str = "cidrlist") -> set[str]:
    return {cidr for cidr in str(row.get(key, "")).split(",") if cidr}


def _range(ports: tuple[int | None, int | None]) -> tuple[int, int] | None:
    return None if ports[0] is None or ports[1] is None else (ports[0], ports[1])


def rule_conflict(
    kind: str, new: Row, others: list[tuple[str, Row]], cserrorcode: int | None
) -> None:
    """FirewallManagerImpl.detectRulesConflict: refuse ``new`` when it clashes with a rule.

    Rules of the same IP (or, for egress, the same network) clash when their port ranges
    overlap, unless one is a firewall rule and the other is not (or has another protocol),
    both are firewall rules for different CIDRs, or both forward ports for other protocols.
    """
    for other_kind, other in others:
        if other["id"] != new["id"]:
            _clash(kind, new, other_kind, other, cserrorcode)


def _clash(kind: str, new: Row, other_kind: str, other: Row, cserrorcode: int | None) -> None:
    same_protocol = other["protocol"] == new["protocol"]
    firewall_kinds = ("firewall", "egress")
    one_firewall = (kind in firewall_kinds or other_kind in firewall_kinds) and (
        kind != other_kind or not same_protocol
    )
    both_firewall = kind == other_kind and kind in firewall_kinds
    duplicated = both_firewall and _duplicated(kind, other, new)
    same_icmp = all(new.get(key) == other.get(key) for key in ("icmptype", "icmpcode"))
    if not one_firewall and new["protocol"] == "icmp" and duplicated and same_icmp:
        raise invalid_parameter(f"New rule conflicts with existing rule id={other['_number']}")
    new_range, old_range = _range(source_ports(new)), _range(source_ports(other))
    if new_range is None or old_range is None:
        portless = new_range is None and old_range is None
        if portless and duplicated and same_protocol and new["protocol"] != "icmp":
            raise ApiError(
                NETWORK_RULE_CONFLICT,
                "There is already a firewall rule specified with protocol = "
                f"{new['protocol']} and no ports",
                cserrorcode,
            )
        return
    allowed = (
        one_firewall
        or (both_firewall and not duplicated)
        or (kind == other_kind == "port_forwards" and not same_protocol)
    )
    if not allowed and new_range[0] <= old_range[1] and old_range[0] <= new_range[1]:
        raise ApiError(
            NETWORK_RULE_CONFLICT,
            f"The range specified, {new_range[0]}-{new_range[1]}, conflicts with rule "
            f"{other['_number']} which has {old_range[0]}-{old_range[1]}",
            cserrorcode,
        )


def _duplicated(kind: str, a: Row, b: Row) -> bool:
    shared = _overlap(_cidrs(a), _cidrs(b))
    if kind == "egress":
        return shared and _overlap(_cidrs(a, "destcidrlist"), _cidrs(b, "destcidrlist"))
    return shared


def _overlap(one: set[str], other: set[str]) -> bool:
    """FirewallManagerImpl.detectConflictingCidrs: two empty lists overlap too."""
    return bool(one & other) or not (one or other)


def rules_on_ip(ctx: Ctx, ip_id: str) -> list[tuple[str, Row]]:
    return [
        (kind, row)
        for kind in RULE_TABLES
        for row in ctx.state.table(kind)
        if row.get("ipaddressid", row.get("publicipid")) == ip_id
    ]


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
        "_number": ctx.state.next_number("firewall_rules"),
    }
    if protocol == "icmp":
        row.update(
            icmptype=ctx.request.number("icmptype", -1), icmpcode=ctx.request.number("icmpcode", -1)
        )
    elif start is not None:
        row.update(startport=start, endport=end)
    return row


def open_firewall(
    ctx: Ctx, address: Row, protocol: str, ports: tuple[int | None, int | None], related: Row
) -> None:
    """FirewallManagerImpl.createRuleForAllCidrs: the firewall rule a port forwarding or load
    balancer rule opens (``openfirewall``), removed together with it."""
    opened = _rule_fields(ctx, protocol, ports[0], ports[1], "0.0.0.0/0")
    opened.update(
        ipaddressid=address["id"],
        ipaddress=address["ipaddress"],
        networkid=address["associatednetworkid"],
        state="Active",
        traffictype="Ingress",
        _project=address.get("projectid", ""),
        _related=related["id"],
    )
    rule_conflict("firewall", opened, rules_on_ip(ctx, address["id"]), CS_NETWORK_RULE_CONFLICT)
    ctx.state.table("firewall").add(opened)


def close_related(ctx: Ctx, rule: Row) -> None:
    for opened in ctx.state.table("firewall"):
        if opened.get("_related") == rule["id"]:
            ctx.state.table("firewall").remove(opened["id"])


def firewall_row(
    ctx: Ctx, address: Row, protocol: str, ports: tuple[int | None, int | None], cidrs: str
) -> Row:
    """An ingress rule on ``address`` (FirewallManagerImpl.createIngressFirewallRule), checked
    against the address's rules (detectRulesConflict)."""
    row = _rule_fields(ctx, protocol, ports[0], ports[1], cidrs)
    row.update(
        ipaddressid=address["id"],
        ipaddress=address["ipaddress"],
        networkid=address["associatednetworkid"],
        traffictype="Ingress",
        _project=address.get("projectid", ""),
    )
    rule_conflict("firewall", row, rules_on_ip(ctx, address["id"]), CS_NETWORK_RULE_CONFLICT)
    return row


@command("createFirewallRule")
def create_firewall_rule(ctx: Ctx) -> Answer:
    address = ctx.entity("ips", "ipaddressid")
    protocol = _protocol(ctx, PROTOCOLS)
    ports = port_range(ctx, "startport", "endport")
    row = firewall_row(ctx, address, protocol, ports, ctx.request.get("cidrlist") or "0.0.0.0/0")
    return _rule(ctx, "firewall", row)


@command("createEgressFirewallRule")
def create_egress_firewall_rule(ctx: Ctx) -> Answer:
    network = ctx.entity("networks", "networkid")
    protocol = _protocol(ctx, (*PROTOCOLS, "all"))
    start, end = port_range(ctx, "startport", "endport")
    row = _rule_fields(ctx, protocol, start, end, ctx.request.get("cidrlist") or network["cidr"])
    row.update(
        networkid=network["id"],
        traffictype="Egress",
        _project=network.get("projectid", ""),
        # FirewallManagerImpl keeps no destination CIDRs when none are sent, and
        # ApiResponseHelper answers their empty join: "" (every destination).
        destcidrlist=ctx.request.get("destcidrlist") or "",
    )
    same_network = [
        ("egress", r) for r in ctx.state.table("egress") if r["networkid"] == network["id"]
    ]
    rule_conflict("egress", row, same_network, CS_SERVER_API)  # rethrown without a cause
    return _rule(ctx, "egress", row)


@command("createPortForwardingRule")
def create_port_forwarding_rule(ctx: Ctx) -> Answer:
    """RulesManagerImpl.createPortForwardingRule; a VPC address joins the tier ``networkid``
    names (CreatePortForwardingRuleCmd.getNetworkId) and opens no firewall rule."""
    address = ctx.entity("ips", "ipaddressid")
    vm = ctx.entity("vms", "virtualmachineid")
    opens = opens_firewall(ctx, address)
    refuse_on_static_nat(
        address,
        f"Unable to create port forwarding rule; ip id={address['_number']} has static nat enabled",
    )
    network = rule_network(
        ctx,
        address,
        f"Unable to create port forwarding rule for the ipAddress id={address['_number']} as ip "
        "is not associated with any network and no networkId is passed in",
    )
    protocol = _protocol(ctx, ("tcp", "udp"))
    public = port_range(ctx, "publicport", "publicendport")
    private = port_range(ctx, "privateport", "privateendport")
    if not any(n["networkid"] == network["id"] for n in vm["nic"]):
        raise invalid_parameter("Vm doesn't belong to network associated with ipAddress")
    row = forward_row(ctx, address, network, vm, (protocol, public, private))
    row["cidrlist"] = ctx.request.get("cidrlist") or ""
    rules = rules_on_ip(ctx, address["id"])
    rule_conflict("port_forwards", row, rules, CS_NETWORK_RULE_CONFLICT)
    join_tier(address, network)
    if opens:
        open_firewall(ctx, address, protocol, public, row)
    return _rule(ctx, "port_forwards", row)


Ports = tuple[int | None, int | None]


def forward_row(
    ctx: Ctx, address: Row, network: Row, vm: Row, ports: tuple[str, Ports, Ports]
) -> Row:
    """A port forwarding rule's row (PortForwardingRuleVO): ``ports`` are its protocol, public
    and private ranges; to the VM's address on ``network``."""
    protocol, public, private = ports
    nic = next(n for n in vm["nic"] if n["networkid"] == network["id"])
    return {
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
        "cidrlist": "",
        "networkid": network["id"],
        "vmguestip": nic["ipaddress"],
        "tags": [],
        "fordisplay": True,
        "_project": address.get("projectid", ""),
        "_number": ctx.state.next_number("firewall_rules"),
    }


def _delete(ctx: Ctx, kind: str) -> Answer:
    row = ctx.entity(kind, "id")
    row["state"] = "Revoke"

    def run() -> None:
        ctx.state.table(kind).remove(row["id"])
        close_related(ctx, row)
        leave_tier_if_unused(ctx.state, ctx.state.table("ips").get(row.get("ipaddressid", "")))

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
    return {}  # IP forwarding rules come from createIpForwardingRule, which is not served
