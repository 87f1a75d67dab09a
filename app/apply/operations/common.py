"""What every operation shares: each kind's CloudStack names, id look-ups, finding by tag, deletes.

One table (``KINDS``) says how each kind is listed, tagged and named in answers, so the
per-kind modules hold only what differs: the parameters of their create calls.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from app.apply.operations.base import Context, Operation, Submitted
from app.apply.operations.tags import sync_tags, wanted_tags
from app.cloudstack.catalog import tag_map
from app.cloudstack.errors import CloudStackError
from app.cloudstack.inventory import TAG_KEY, TAG_REPO
from app.plan.model import Action, Change

Operations = dict[tuple[str, Action], Operation]  # each kind module's share of the registry


class Unresolved(CloudStackError):
    """A call could not be built: an id or catalog entry it needs is unknown. Raised as a
    CloudStackError so that an apply records the step as failed and goes on."""


@dataclass(frozen=True)
class Kind:
    list_command: str
    resource_type: str  # createTags/deleteTags resourcetype
    answer_key: str  # the object's key in a create's answer or job result
    list_params: Mapping[str, str] = field(default_factory=dict)
    named: bool = False  # CloudStack keeps the repo's name on it (and refuses a twin)


KINDS: dict[str, Kind] = {
    "network": Kind("listNetworks", "Network", "network", named=True),
    "public_ip": Kind("listPublicIpAddresses", "PublicIpAddress", "ipaddress"),
    "instance": Kind("listVirtualMachines", "UserVm", "virtualmachine", named=True),
    "volume": Kind("listVolumes", "Volume", "volume", {"type": "DATADISK"}, named=True),
    "firewall": Kind("listFirewallRules", "FirewallRule", "firewallrule"),
    "egress": Kind("listEgressFirewallRules", "FirewallRule", "firewallrule"),
    "port_forward": Kind("listPortForwardingRules", "PortForwardingRule", "portforwardingrule"),
    # createLoadBalancerRule's job result says "loadbalancer", its list "loadbalancerrule"
    "load_balancer": Kind("listLoadBalancerRules", "LoadBalancer", "loadbalancer", named=True),
    "vpc": Kind("listVPCs", "Vpc", "vpc", named=True),
    "network_acl_rule": Kind("listNetworkACLs", "NetworkACL", "networkacl"),
    # a project's own templates: templatefilter=self (see templates.py)
    "template": Kind("listTemplates", "Template", "template", {"templatefilter": "self"}, True),
}


def ref(ctx: Context, kind: str, name: str, command: str) -> str:
    """The id of an object the change refers to: read by the plan or created earlier."""
    found = ctx.ids.get(f"{kind}/{name}")
    if found is None:
        raise Unresolved(ctx.client.cloud, command, f"no id known for {kind} '{name}'")
    return found


def catalog_id(ctx: Context, entries: Mapping[str, Any], name: str, command: str) -> str:
    entry = entries.get(name)
    if entry is None:
        raise Unresolved(ctx.client.cloud, command, f"'{name}' is not in the cloud's catalog")
    return str(entry.id)


def zone_id(ctx: Context, change: Change, command: str) -> str:
    return catalog_id(ctx, ctx.catalog.zones, after(change)["zone"], command)


def after(change: Change) -> dict[str, Any]:
    return change.after or {}


def on_tier(ctx: Context, change: Change, command: str) -> dict[str, str]:
    """A rule on a VPC address names the tier it serves (networkid); none elsewhere."""
    tier = after(change).get("tier")
    return {"networkid": ref(ctx, "network", tier, command)} if tier else {}


def display_text(change: Change) -> str:
    """The description CloudStack shows, else the name: its create calls want one."""
    return after(change).get("description") or change.name


def live_id(ctx: Context, change: Change, command: str) -> str:
    if change.live_id is None:
        raise Unresolved(ctx.client.cloud, command, f"{change.address} has no live id")
    return change.live_id


def ports(value: Any) -> tuple[str, str]:
    """'8000-8100' → ('8000', '8100'); '443' → ('443', '443')."""
    start, _, end = str(value).partition("-")
    return start, end or start


def submitted_from(answer: Mapping[str, Any], answer_key: str) -> Submitted:
    """From a first answer: async commands give ``jobid`` (async creates also ``id``); sync
    creates give the object under its key."""
    job = answer.get("jobid")
    obj = answer.get(answer_key)
    resource = answer.get("id") or (obj.get("id") if isinstance(obj, Mapping) else None)
    return Submitted(str(job) if job else None, str(resource) if resource else None)


def created_id(
    ctx: Context, kind: Kind, sent: Submitted, result: Mapping[str, Any], command: str
) -> str:
    obj = result.get(kind.answer_key)
    found = sent.resource_id or (obj.get("id") if isinstance(obj, Mapping) else None)
    if not found:
        raise Unresolved(ctx.client.cloud, command, "the answer names no created object")
    return str(found)


def row(ctx: Context, kind: Kind, object_id: str) -> dict[str, Any] | None:
    rows = ctx.client.list(
        kind.list_command, id=object_id, projectid=ctx.project_id, **kind.list_params
    )
    return next((r for r in rows if str(r.get("id")) == object_id), None)


def live_row(ctx: Context, kind: Kind, change: Change, command: str) -> dict[str, Any]:
    """The live object an update or delete acts on, as CloudStack lists it now."""
    found = row(ctx, kind, live_id(ctx, change, command))
    if found is None:
        raise Unresolved(ctx.client.cloud, command, f"{change.address} is gone from the cloud")
    return found


def find_tagged(ctx: Context, kind: Kind, change: Change) -> str | None:
    """The object carrying this change's key and repo tags. Tag filters match ANY pair, so
    one pair is sent and the repo checked here. Only tagged (finished) objects count: the
    tags are written last, after every follow-up call."""
    key = f"{change.kind}/{change.name}"
    rows = ctx.client.list(
        kind.list_command,
        tags=[{"key": TAG_KEY, "value": key}],
        projectid=ctx.project_id,
        **kind.list_params,
    )
    return next(
        (
            str(r["id"])
            for r in rows
            if tag_map(r).get(TAG_KEY) == key and tag_map(r).get(TAG_REPO) == ctx.repo
        ),
        None,
    )


def find_untagged(ctx: Context, kind: Kind, change: Change) -> str | None:
    """An object with this change's name and no stackgate key yet: what a create left when
    the process died after CloudStack took the call but before the tags were written."""
    if not kind.named:
        return None
    rows = ctx.client.list(
        kind.list_command, name=change.name, projectid=ctx.project_id, **kind.list_params
    )
    return next(
        (str(r["id"]) for r in rows if r.get("name") == change.name and TAG_KEY not in tag_map(r)),
        None,
    )


@dataclass(frozen=True)
class Delete:
    """Remove one object by its live id with a single (usually async) call."""

    kind: Kind
    command: str
    extra: Mapping[str, str] = field(default_factory=dict)

    def submit(self, ctx: Context, change: Change) -> Submitted:
        object_id = live_id(ctx, change, self.command)
        answer = ctx.client.request(self.command, id=object_id, **self.extra)
        job = answer.get("jobid")
        return Submitted(str(job) if job else None, object_id)

    def finish(
        self, _ctx: Context, _change: Change, _submitted: Submitted, _result: dict[str, Any]
    ) -> str | None:
        return None

    def find(self, ctx: Context, change: Change) -> str | None:
        found = row(ctx, self.kind, live_id(ctx, change, self.kind.list_command))
        return str(found["id"]) if found else None


def retag(
    ctx: Context,
    kind: Kind,
    change: Change,
    object_id: str,
    wanted: Mapping[str, str] | None = None,
) -> None:
    """Bring a live object's tags to what the change says: labels, protection, ours."""
    current = tag_map(row(ctx, kind, object_id) or {})
    sync_tags(ctx, kind.resource_type, object_id, current, wanted or wanted_tags(ctx, change))


@dataclass(frozen=True)
class Retag:
    """An update of labels or protection only: the object's tags, nothing else."""

    kind: Kind

    def submit(self, ctx: Context, change: Change) -> Submitted:
        return Submitted(resource_id=live_id(ctx, change, "createTags"))

    def finish(
        self, ctx: Context, change: Change, _submitted: Submitted, _result: dict[str, Any]
    ) -> str | None:
        object_id = live_id(ctx, change, "createTags")
        retag(ctx, self.kind, change, object_id)
        return object_id

    def find(self, _ctx: Context, _change: Change) -> str | None:
        return None  # tags are compared before they are written: running it again is harmless
