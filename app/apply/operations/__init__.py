"""Which operation applies a change: one per (kind, action) that apply supports.

A replace runs as a delete and a create (see app/apply/steps.py); an adopt as the kind's
update, which tags the object (adopt.py). An update (or adopt) may change only
the fields its kind lists in ``UPDATABLE``; a plan with any other change is refused before
anything runs (``supported``), rather than half applied.
"""

from __future__ import annotations

from dataclasses import replace

from app.apply.operations import (
    acls,
    addresses,
    affinity,
    balancers,
    instances,
    keys,
    kubernetes,
    limits,
    networks,
    projects,
    rules,
    security_groups,
    snapshots,
    templates,
    volumes,
    vpcs,
)
from app.apply.operations.adopt import adopters
from app.apply.operations.base import Operation
from app.apply.operations.common import KINDS, Retag
from app.plan.model import Action, Change

TAGS_ONLY = frozenset({"labels", "protected"})
UPDATABLE: dict[str, frozenset[str]] = {  # kind → the fields its update can change
    "network": TAGS_ONLY | {"description", "offering", "acl"},
    "vpc": TAGS_ONLY | {"description"},
    "network_acl": frozenset({"description"}),  # takes no tags: see acls.py
    "network_acl_rule": TAGS_ONLY
    | {"action", "traffic", "protocol", "ports", "icmp_type", "icmp_code", "cidrs"},
    "instance": TAGS_ONLY
    | {"offering", "cpu", "memory_mib", "root_disk_gib", "user_data_sha", "ssh_key"}
    | {"affinity_groups", "security_groups"},
    "volume": TAGS_ONLY | {"size_gib", "attach_to"},
    "security_group": TAGS_ONLY | {"ingress", "egress"},
    "load_balancer": TAGS_ONLY | {"algorithm", "members"},
    "public_ip": TAGS_ONLY | {"static_nat"},
    **dict.fromkeys(("firewall", "egress", "port_forward"), TAGS_ONLY),
    "project": frozenset({"display_text", "state"}),
    "project_member": frozenset({"role"}),
    "template": TAGS_ONLY | {"description", "os_type"},
    "snapshot_policy": TAGS_ONLY | {"schedule", "timezone", "keep"},
    # scale, upgrade, start/stop (cks_steps.py); cpu and memory follow the offering
    "kubernetes_cluster": frozenset({"size", "offering", "cpu", "memory_mib", "version", "state"}),
}

_MADE: dict[tuple[str, Action], Operation] = {
    **projects.OPERATIONS,
    **limits.OPERATIONS,
    **keys.OPERATIONS,
    **affinity.OPERATIONS,
    **security_groups.OPERATIONS,
    **vpcs.OPERATIONS,
    **acls.OPERATIONS,
    **networks.OPERATIONS,
    **addresses.OPERATIONS,
    **instances.OPERATIONS,
    **volumes.OPERATIONS,
    **rules.OPERATIONS,
    **balancers.OPERATIONS,
    **templates.OPERATIONS,
    **snapshots.OPERATIONS,
    **kubernetes.OPERATIONS,
    **{
        (kind, Action.UPDATE): Retag(KINDS[kind]) for kind in ("firewall", "egress", "port_forward")
    },
}
OPERATIONS: dict[tuple[str, Action], Operation] = {**_MADE, **adopters(_MADE)}


def operation_for(kind: str, action: Action) -> Operation | None:
    return OPERATIONS.get((kind, action))


def supported(change: Change) -> bool:
    """Whether apply can make this change (limits take any update)."""
    if change.action is Action.REPLACE:
        made = supported(replace(change, action=Action.CREATE))
        return made and all(operation_for(change.kind, a) for a in (Action.DELETE, Action.CREATE))
    if operation_for(change.kind, change.action) is None:
        return False
    if change.action not in (Action.UPDATE, Action.UPDATE_STOP, Action.ADOPT):
        return True
    if change.kind == "limits":
        return True
    if change.kind == "instance" and _drops_key(change):
        return False
    return {field.field for field in change.changed} <= UPDATABLE.get(change.kind, frozenset())


def _drops_key(change: Change) -> bool:
    """CloudStack can set a VM's key pairs but not take them all away."""
    return any(f.field == "ssh_key" and not f.after for f in change.changed)
