"""Plan values in words: one line per change, fields in units, shared by every renderer."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from app.plan.model import Action, Change, QuotaLine
from app.report.backups_text import describe_backup

SYMBOL = {
    Action.CREATE: "+",
    Action.UPDATE: "~",
    Action.UPDATE_STOP: "~",
    Action.REPLACE: "±",
    Action.DELETE: "-",
    Action.ADOPT: "⊕",
}
VERB = {
    Action.CREATE: "create",
    Action.UPDATE: "update",
    Action.UPDATE_STOP: "update (stop/start)",
    Action.REPLACE: "replace",
    Action.DELETE: "delete",
    Action.ADOPT: "adopt",
}
NETWORKING = ("network", "vpc", "network_acl", "affinity_group", "public_ip")
UNIT_FIELDS = {
    "root_disk_gib": "root_disk",
    "size_gib": "size",
    "memory_mib": "memory",
    "node_root_disk_gib": "node_root_disk",
}


def value(field: str, raw: Any) -> str:
    if raw is None:
        return "unlimited" if field == "limit" else "none"
    if field.endswith("_gib"):
        return amount(int(raw), "GiB")
    if field.endswith("_mib"):
        return amount(int(raw), "MiB")
    if field == "user_data_sha":
        return f"sha256:{raw}"
    if isinstance(raw, bool):
        return "yes" if raw else "no"
    if isinstance(raw, list):
        return ", ".join(str(v) for v in raw) or "none"
    if isinstance(raw, dict):
        return ", ".join(f"{k}={v}" for k, v in sorted(raw.items())) or "none"
    return str(raw)


def amount(number: int, unit: str) -> str:
    """A quantity in the largest binary unit that keeps it whole (MiB → GiB → TiB)."""
    if unit == "count" or number == 0:
        return str(number)
    mib = number if unit == "MiB" else number * 1024
    for name, factor in (("TiB", 1024 * 1024), ("GiB", 1024)):
        if mib and mib % factor == 0:
            return f"{mib // factor}{name}"
    return f"{mib}MiB" if unit == "MiB" else f"{number}GiB"


def field_name(field: str) -> str:
    return UNIT_FIELDS.get(field, field)


def describe(kind: str, fields: dict[str, Any]) -> str:
    """What an object is, in a few words: the fields a reviewer recognises it by."""
    get = fields.get
    if kind == "instance":
        root = value("root_disk_gib", get("root_disk_gib"))
        if "root_disk_gib" not in fields:  # the project's own template, its size unknown yet
            root = "as its template"
        networks = value("networks", get("networks"))
        return f"{get('offering')} · {get('template')} · on {networks} · root {root}"
    if kind == "volume":
        attached = f" → {get('attach_to')}" if get("attach_to") else " (detached)"
        return f"{value('size_gib', get('size_gib'))} {get('offering')}{attached}"
    if kind in NETWORKING:
        return _networking(kind, fields)
    if kind == "load_balancer":
        members = value("members", get("members"))
        return (
            f"{get('ip')}:{get('public_port')} → {members}:{get('private_port')} {get('algorithm')}"
        )
    if kind == "ssh_key":
        return f"fingerprint {str(get('fingerprint'))[:23]}…"
    if kind == "project":
        owner = f" · owner {get('owner')}" if get("owner") else ""
        return f'in {get("domain")} · {get("state")} · "{get("display_text")}"{owner}'
    if kind == "project_member":
        return f"role {get('role')}"
    if kind == "kubernetes_cluster":
        return _cluster(fields)
    if kind in ("template", "snapshot_policy"):
        return describe_backup(kind, fields)
    return _rule(kind, fields)


def _cluster(fields: dict[str, Any]) -> str:
    """A Kubernetes cluster by its version, its nodes and where they run (stopped: said so)."""
    get = fields.get
    nodes = f"{get('control_nodes')} control + {get('size')} workers of {get('offering')}"
    root = value("node_root_disk_gib", get("node_root_disk_gib"))
    stopped = " · stopped" if get("state") == "Stopped" else ""
    where = f"{get('network')} of VPC {get('vpc')}" if get("vpc") else get("network")
    return f"{get('version')} · {nodes} · on {where} · root {root}{stopped}"


def _networking(kind: str, fields: dict[str, Any]) -> str:
    """Networks and VPCs: a tier says its VPC and ACL list, an address its VPC and static NAT."""
    get = fields.get
    if kind == "vpc":
        return f"{get('cidr')} · {get('offering')}"
    if kind == "network":
        tier = f" · tier of {get('vpc')}, ACL {get('acl')}" if get("vpc") else ""
        return f"{get('cidr')} · {get('offering')}{tier}"
    if kind == "network_acl":
        return f"of VPC {get('vpc')}"
    if kind == "affinity_group":
        return str(get("type"))
    address = f"{get('address')} " if get("address") else ""
    nat = f" · static NAT → {get('static_nat')}" if get("static_nat") else ""
    where = f"VPC {get('vpc')}" if get("vpc") else get("network")
    return f"{address}on {where}{nat}"


def _rule(kind: str, fields: dict[str, Any]) -> str:
    get = fields.get
    cidrs = value("cidrs", get("cidrs"))
    if kind == "port_forward":
        only = f" from {cidrs}" if get("cidrs") else ""
        target = f"{get('instance')}:{get('private_port')}"
        return f"{get('ip')}:{get('public_port')} → {target} {get('protocol')}{only}"
    traffic = f"{get('protocol')} {get('ports') or 'all ports'}"
    if get("protocol") == "icmp":
        traffic = f"icmp type {get('icmp_type')} code {get('icmp_code')}"
    if kind == "firewall":
        return f"{traffic} to {get('ip')} from {cidrs}"
    if kind == "egress":
        return f"{traffic} from {get('network')} to {cidrs}"
    if kind == "network_acl_rule":
        way = "in from" if get("traffic") == "ingress" else "out to"
        return f"{get('action')} {traffic} {way} {cidrs}"
    return ""


def details(change: Change) -> str:
    """The change in one line: what is made, what moves from what to what, or what goes."""
    if change.kind == "limits":
        before, after = (change.before or {}).get("limit"), (change.after or {}).get("limit")
        unit = {"memory": "MiB", "primary_storage": "GiB", "secondary_storage": "GiB"}.get(
            change.name, "count"
        )
        return f"limit {_limit(before, unit)} → {_limit(after, unit)}"
    if change.action is Action.CREATE:
        return describe(change.kind, change.after or {})
    if change.action is Action.DELETE:
        text = describe(change.kind, change.before or {})
        return f"{text}; lost: {change.lost}" if text else f"lost: {change.lost}"
    moves = "; ".join(
        f"{field_name(f.field)}: {value(f.field, f.before)} → {value(f.field, f.after)}"
        for f in change.changed
        if f.before != f.after  # a follower's tie to what is replaced moves in name only
    )
    why = (f" ({change.reason})" if moves else change.reason) if change.reason else ""
    lost = f"; lost: {change.lost}" if change.action is Action.REPLACE and change.lost else ""
    return f"{moves}{why}{lost}"


def _limit(number: int | None, unit: str) -> str:
    return "unlimited" if number is None else amount(number, unit)


def quota_owner(line: QuotaLine) -> str:
    """The first column: the project, or the domain (by path) its limits live inside."""
    return f"domain {line.project}" if line.scope == "domain" else line.project


def shown_quotas(lines: Iterable[QuotaLine]) -> list[QuotaLine]:
    """Rows that move or are tight; a domain row is only made where the plan touches it."""
    return [q for q in lines if q.scope == "domain" or q.change or q.pending or q.status != "ok"]


def quota_cells(line: QuotaLine) -> tuple[str, str, str, str, str, str]:
    """used, change, pending, after, limit, headroom in people's units."""

    def fmt(number: int) -> str:
        return amount(number, line.unit)

    def signed(number: int) -> str:
        return ("+" if number > 0 else "") + fmt(number) if number else "0"

    limit = "unlimited" if line.limit is None else fmt(line.limit)
    headroom = "-" if line.headroom is None else fmt(line.headroom)
    return (
        fmt(line.used),
        signed(line.change),
        signed(line.pending),
        fmt(line.after),
        limit,
        headroom,
    )
