"""Quota impact of a plan: what each change adds or frees, per project and resource.

An object's footprint is what CloudStack counts against its project: an instance its vm,
cores, memory, root volume and root disk; a volume its count and size; a network its count
and, with source NAT, the public address it takes on first use; an address itself; a VPC
its count and its source NAT address; a Kubernetes cluster each node as an instance (a live
one the nodes it holds, which a failed create leaves short; the network it names counts as
that network does) and, on a VPC tier, the address CKS takes; a snapshot policy the
snapshots it keeps; a template its count (its secondary storage is counted after the
download, at a size the plan cannot know).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from app.cloudstack.model import Catalog, ProjectUsage
from app.plan.clusters import DEFAULT_ROOT_GIB
from app.plan.model import Change, QuotaLine
from app.plan.source_nat import FRESH
from app.spec.diagnostics import Code, Diagnostic, Location, error, warning

RESOURCES = {
    "instances": "count",
    "cpu": "count",
    "memory": "MiB",
    "volumes": "count",
    "primary_storage": "GiB",
    "networks": "count",
    "public_ips": "count",
    "vpcs": "count",
    "snapshots": "count",
    "templates": "count",
}


@dataclass(frozen=True)
class Pending:
    """What other open, planned pull requests would add (read from the store by the caller):
    per project and per domain path, resource → amount; ``holders``: (domain path, resource)
    → the pull requests holding it, named when the domain runs out."""

    projects: Mapping[str, Mapping[str, int]] = field(default_factory=dict)
    domains: Mapping[str, Mapping[str, int]] = field(default_factory=dict)
    holders: Mapping[tuple[str, str], tuple[int, ...]] = field(default_factory=dict)


def footprint(
    kind: str, fields: Mapping[str, Any] | None, catalog: Catalog | None
) -> dict[str, int]:
    if fields is None:
        return {}
    if kind == "instance":
        return _vms(1, fields, catalog, int(fields.get("root_disk_gib") or 0))
    if kind == "kubernetes_cluster":  # every node a VM of the project with its ROOT volume
        # a live cluster counts the nodes it holds, a desired one all it will have
        planned = int(fields.get("control_nodes") or 0) + int(fields.get("size") or 0)
        nodes = int(fields.get("nodes_held", planned))
        root = int(fields.get("node_root_disk_gib") or DEFAULT_ROOT_GIB)
        # on a VPC tier CKS allocates the cluster a public address of its own
        # (KubernetesClusterActionWorker.acquireVpcTierKubernetesPublicIp)
        return {**_vms(nodes, fields, catalog, root), "public_ips": 1 if fields.get("vpc") else 0}
    if kind == "volume":
        return {"volumes": 1, "primary_storage": int(fields.get("size_gib") or 0)}
    if kind == "network":
        network = catalog.network_offerings.get(str(fields.get("offering"))) if catalog else None
        # a VPC tier's traffic leaves through its VPC's source NAT address, not one of its own
        source_nat = (
            network is not None and "SourceNat" in network.services and not fields.get("vpc")
        )
        # a live network no VM has used yet holds no source NAT address (one associated to
        # it counts as that public IP); a planned one is counted as its first deploy takes one
        unused = fields.get("state") == FRESH
        return {"networks": 1, "public_ips": 1 if source_nat and not unused else 0}
    if kind == "public_ip":
        return {"public_ips": 1}
    if kind == "vpc":  # startVpc gives the VPC's router a source NAT address at once
        return {"vpcs": 1, "public_ips": 1}
    if kind == "snapshot_policy":  # the snapshots it keeps, once it has run that often
        return {"snapshots": int(fields.get("keep") or 0)}
    if kind == "template":  # counted once, whatever its zones (HypervisorTemplateAdapter)
        return {"templates": 1}
    return {}


def _vms(
    count: int, fields: Mapping[str, Any], catalog: Catalog | None, root_gib: int
) -> dict[str, int]:
    """``count`` VMs of the fields' offering, each with a ROOT volume of ``root_gib``."""
    offering = catalog.service_offerings.get(str(fields.get("offering"))) if catalog else None
    cpu = fields.get("cpu") or (offering.cpu if offering else 0)
    memory = fields.get("memory_mib") or (offering.memory_mib if offering else 0)
    return {
        "instances": count,
        "cpu": int(cpu) * count,
        "memory": int(memory) * count,
        "volumes": count,
        "primary_storage": root_gib * count,
    }


def deltas(changes: Iterable[Change], catalog: Catalog | None) -> dict[str, int]:
    total = dict.fromkeys(RESOURCES, 0)
    for change in changes:
        after = footprint(change.kind, change.after, catalog) if change.after else {}
        before = footprint(change.kind, change.before, catalog) if change.before else {}
        for resource in total:
            total[resource] += after.get(resource, 0) - before.get(resource, 0)
    return total


def quota_lines(
    project: str,
    usage: ProjectUsage,
    changes: list[Change],
    catalog: Catalog | None,
    pending: Pending,
    first_use: int = 0,
) -> list[QuotaLine]:
    """``first_use``: source NAT addresses live networks take when the plan first uses them."""
    delta = deltas([c for c in changes if c.kind != "limits"], catalog)
    delta["public_ips"] += first_use
    new_limits = {
        c.name: c.after["limit"] for c in changes if c.kind == "limits" and c.after is not None
    }
    lines = []
    for resource, unit in RESOURCES.items():
        quota = usage.quotas.get(resource)
        if quota is None:
            continue
        limit = new_limits.get(resource, quota.limit)
        lines.append(
            QuotaLine(
                project,
                resource,
                unit,
                quota.used,
                delta[resource],
                pending.projects.get(project, {}).get(resource, 0),
                limit,
            )
        )
    return lines


def shown(value: int, unit: str) -> str:
    if unit == "MiB":
        return f"{value / 1024:g}GiB" if value % 1024 == 0 else f"{value}MiB"
    return f"{value}GiB" if unit == "GiB" else str(value)


def quota_diagnostics(
    lines: Iterable[QuotaLine], where: Location, limits_changed: Collection[str] = ()
) -> list[Diagnostic]:
    """Only what this plan does is judged: a resource it neither uses more of nor re-limits
    is left alone, so a project already over a limit can still shrink (or change a label)."""
    found = []
    for line in lines:
        if line.limit is None or line.status == "ok":
            continue
        if line.change <= 0 and line.resource not in limits_changed:
            continue
        used = f"{shown(line.after, line.unit)} of {shown(line.limit, line.unit)}"
        name = line.resource.replace("_", " ")
        if line.status == "over":
            over = shown(line.after - line.limit, line.unit)
            found.append(
                error(
                    Code.QUOTA_EXCEEDED,
                    f"project '{line.project}' would use {used} {name} ({over} over the limit)",
                    where,
                    "remove something, or raise 'limits:' (needs the platform team's approval)",
                )
            )
        else:
            found.append(
                warning(
                    Code.QUOTA_NEAR,
                    f"project '{line.project}' would use {used} {name} (90% or more)",
                    where,
                )
            )
    return found
