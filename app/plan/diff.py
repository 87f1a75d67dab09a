"""Compare one desired entry with its live object and decide the action, field by field."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from app.cloudstack.model import Catalog, LiveObject
from app.plan import cluster_diff
from app.plan.desired import DesiredItem
from app.plan.model import Action, Change, FieldChange
from app.spec.diagnostics import Code, Diagnostic, error

# Fields CloudStack cannot change on a live object: the object is destroyed and created again.
REPLACED_BY = {
    # a tier's subnet and VPC are fixed (updateNetwork takes neither; replaceNetworkACLList
    # moves it to another ACL list in place)
    "network": {"cidr", "zone", "vpc", "gateway", "netmask"},
    "vpc": {"offering", "cidr", "zone"},  # updateVPC takes the name and display text only
    "network_acl": {"vpc"},  # updateNetworkACLList changes the name and description only
    "instance": {"template", "zone", "networks"},
    "volume": {"zone"},
    "public_ip": {"network", "vpc"},
    "firewall": {"ip", "protocol", "ports", "icmp_type", "icmp_code", "cidrs"},
    "egress": {"network", "protocol", "ports", "icmp_type", "icmp_code", "cidrs"},
    "port_forward": {"ip", "protocol", "public_port", "private_port", "instance", "cidrs", "tier"},
    "load_balancer": {"ip", "protocol", "public_port", "private_port", "cidrs", "tier"},
    "ssh_key": {"fingerprint"},
    "affinity_group": {"type", "description"},  # CloudStack has no updateAffinityGroup
    "security_group": {"description"},  # updateSecurityGroup renames only
    cluster_diff.KIND: cluster_diff.REPLACED,
    # UpdateTemplateCmd changes the name, display text, OS type and flags, not the image; a
    # template in a new zone would be a copyTemplate, not modelled: it is registered again
    # a template whose download failed is registered again: deleted, then sent anew
    "template": {"url", "checksum", "format", "hypervisor", "zones", "download_error"},
    # createSnapshotPolicy updates the volume's policy of the same interval in place
    # (SnapshotManagerImpl.persistSnapshotPolicy); another interval is another policy
    "snapshot_policy": {"interval", "volume", "root_of"},
}
# Fields an instance must be stopped for (resetSSHKeyForVirtualMachine, ROOT resizeVolume,
# updateVMAffinityGroup: AffinityGroupServiceImpl.updateVMAffinityGroups refuses a running VM;
# updateVirtualMachine securitygroupids: UserVmManagerImpl changes them only on a stopped VM).
STOPPED_FOR = {"instance": {"ssh_key", "root_disk_gib", "affinity_groups", "security_groups"}}
LOST = {
    "network": "the network; instances on it lose their NIC",
    "instance": "the instance and everything on its root disk",
    "volume": "the volume and its data",
    "public_ip": "the public address",
    "ssh_key": "the registered key pair",
    "vpc": "the VPC, its router and its source NAT address",
    "network_acl": "the ACL list and its rules",
    "affinity_group": "the affinity group; its instances leave it",
    "security_group": "the security group and its rules",
    "load_balancer": "the load-balancer rule (a moment without traffic)",
    cluster_diff.KIND: cluster_diff.LOST,
    "template": "the registered template (deleteTemplate refuses while an instance uses it)",
    "snapshot_policy": "the snapshot schedule (snapshots already taken stay)",
}
SEVERITY = {Action.UPDATE: 1, Action.UPDATE_STOP: 2, Action.REPLACE: 3}


@dataclass(frozen=True)
class Diffed:
    change: Change | None
    diagnostics: tuple[Diagnostic, ...] = ()


def desired_view(item: DesiredItem) -> dict[str, Any]:
    return {**item.fields, "labels": dict(sorted(item.labels.items())), "protected": item.protected}


def live_view(live: LiveObject, claimed: Collection[str] = ()) -> dict[str, Any]:
    """The object as the plan shows it. Its labels are the ones stackgate recorded writing;
    on an object without that record, the unrecorded tags whose keys are ``claimed`` (the
    repo's labels for it). Any other tag is not stackgate's and never shows."""
    adopted = {key: value for key, value in live.unrecorded.items() if key in claimed}
    return {
        **dict(live.fields),
        "labels": dict(sorted({**adopted, **live.labels}.items())),
        "protected": live.protected,
    }


def lost_text(kind: str, before: dict[str, Any] | None) -> str:
    if kind == "public_ip" and before and before.get("address"):
        return f"the public address {before['address']}"
    return LOST.get(kind, "the rule")


def create(item: DesiredItem) -> Change:
    return Change(
        Action.CREATE,
        item.kind,
        item.project,
        item.name,
        None,
        desired_view(item),
        file=item.location.file,
        line=item.location.line,
    )


def delete(
    live: LiveObject, project: str, where: tuple[str, int], reason: str = "", name: str = ""
) -> Change:
    before = live_view(live)
    return Change(
        Action.DELETE,
        live.kind,
        project,
        name or live.name,
        before,
        None,
        reason=reason or "no longer in the repo",
        lost=lost_text(live.kind, before),
        file=where[0],
        line=where[1],
        live_id=live.id,
        protected=live.protected,
    )


def changed_fields(before: dict[str, Any], after: dict[str, Any]) -> tuple[FieldChange, ...]:
    return tuple(
        FieldChange(key, before.get(key), value)
        for key, value in after.items()
        if before.get(key) != value
    )


def compare(item: DesiredItem, live: LiveObject, catalog: Catalog | None) -> Diffed:
    after, before = desired_view(item), live_view(live, item.labels)
    changed = changed_fields(before, after)
    if not changed:
        return Diffed(None)
    action, reason = classify(item.kind, changed, before, catalog)
    problems = () if action is Action.REPLACE else tuple(impossible(item, changed, before, catalog))
    # a cluster's refused change stays in the plan beside its error: one upgraded or scaled
    # outside stackgate is drift the repo is behind, not nothing to do
    if any(problem.is_error for problem in problems) and item.kind != cluster_diff.KIND:
        return Diffed(None, problems)
    change = Change(
        action,
        item.kind,
        item.project,
        item.name,
        before,
        after,
        changed,
        reason,
        lost_text(item.kind, before) if action is Action.REPLACE else "",
        item.location.file,
        item.location.line,
        live.id,
        live.protected,
    )
    return Diffed(change, problems)


def impossible(
    item: DesiredItem,
    changed: tuple[FieldChange, ...],
    before: dict[str, Any] | None = None,
    catalog: Catalog | None = None,
) -> list[Diagnostic]:
    """Disks only grow in place; shrinking one would lose data, so it is refused rather than
    replaced. A replaced object gets new disks anyway (e.g. a template with a smaller default).
    A cluster's in-place changes are refused where CKS would refuse them."""
    if item.kind == cluster_diff.KIND:
        return list(cluster_diff.problems(item.name, changed, before or {}, catalog, item.location))
    problems = []
    for field in changed:
        if field.field in ("size_gib", "root_disk_gib") and _smaller(field.after, field.before):
            what = "root disk" if field.field == "root_disk_gib" else "volume"
            problems.append(
                error(
                    Code.IMPOSSIBLE_CHANGE,
                    f"{item.kind} '{item.name}': a {what} cannot shrink "
                    f"({field.before}GiB to {field.after}GiB)",
                    item.location,
                    "keep the size, or add a new volume under a new name and move the data",
                )
            )
    return problems


def _smaller(after: Any, before: Any) -> bool:
    return isinstance(after, int) and isinstance(before, int) and after < before


def classify(
    kind: str, changed: tuple[FieldChange, ...], before: dict[str, Any], catalog: Catalog | None
) -> tuple[Action, str]:
    """The action that makes ``changed`` (the most disruptive one any field needs) and why."""
    verdicts = [_field_action(kind, field, before, catalog) for field in changed]
    action, reason = max(verdicts, key=lambda verdict: SEVERITY[verdict[0]])
    if kind == cluster_diff.KIND and action is Action.UPDATE:  # one CKS command per reason
        reason = " and ".join(dict.fromkeys(why for _, why in verdicts))
    return action, reason


def _field_action(
    kind: str, field: FieldChange, before: dict[str, Any], catalog: Catalog | None
) -> tuple[Action, str]:
    if kind == cluster_diff.KIND:
        return cluster_diff.field_action(field, before)
    if field.field in REPLACED_BY.get(kind, set()):
        return Action.REPLACE, f"{field.field} cannot change in place"
    if (
        kind == "instance"
        and before.get("state") == "Stopped"
        and field.field in ("offering", *STOPPED_FOR[kind])
    ):
        return Action.UPDATE, "changed while the instance is stopped"
    if kind == "instance" and field.field == "offering":
        return _offering_change(field, before, catalog)
    if field.field in STOPPED_FOR.get(kind, set()):
        return Action.UPDATE_STOP, f"changing {field.field} needs the instance stopped"
    return Action.UPDATE, ""


def _offering_change(
    field: FieldChange, before: dict[str, Any], catalog: Catalog | None
) -> tuple[Action, str]:
    """Scaled live only if both offerings are dynamic and none shrinks (scaleVirtualMachine)."""
    old = catalog.service_offerings.get(str(field.before)) if catalog else None
    new = catalog.service_offerings.get(str(field.after)) if catalog else None
    live_scale = (
        old is not None
        and new is not None
        and old.dynamic_scaling
        and new.dynamic_scaling
        and new.cpu >= old.cpu
        and new.memory_mib >= old.memory_mib
        and before.get("state") == "Running"
    )
    if live_scale:
        return Action.UPDATE, "scaled while running"
    return Action.UPDATE_STOP, "the instance is stopped to change its offering, then started"
