"""What CKS can change on a live Kubernetes cluster in place, and what it refuses, for the diff.

scaleKubernetesCluster changes the worker count and the nodes' offering, an offering only to
one offering as much (KubernetesClusterManagerImpl.validateKubernetesClusterScaleParameters:
"cannot be scaled down for service offering"); upgradeKubernetesCluster moves the version
forward to a patch of the same minor or to the next minor, no further
(KubernetesVersionManagerImpl.canUpgradeKubernetesVersion); start and stopKubernetesCluster
change its state. CreateKubernetesClusterCmd's other parameters (control nodes, network, zone,
key pair, node root disk, description) have no command that changes them: the cluster is
replaced, which the default policies deny without ``allow-destroy``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from app.cloudstack.model import Catalog, KubernetesVersion
from app.plan.cluster_checks import semantic
from app.plan.model import Action, FieldChange
from app.spec.diagnostics import Code, Diagnostic, Location, error, warning

KIND = "kubernetes_cluster"
REPLACED = {
    "control_nodes",
    "network",
    "vpc",
    "zone",
    "ssh_key",
    "node_root_disk_gib",
    "description",
}
SETTLED = ("Running", "Stopped")  # the states a repo asks for
FAILED = "Error"  # a failed create (or scale) leaves the cluster here; CKS only deletes it
LOST = "the cluster: its nodes, their disks and every workload on them"


def field_action(field: FieldChange, before: dict[str, Any]) -> tuple[Action, str]:
    """How CKS makes one changed field: a replace for a cluster in Error, whatever changed."""
    if before.get("state") == FAILED:
        return Action.REPLACE, "the cluster is in Error in CloudStack: it is deleted and made again"
    if field.field in REPLACED:
        return Action.REPLACE, f"{field.field} cannot change in place"
    if field.field == "protected":  # no CKS call: its project's record says it
        return Action.UPDATE, "protected" if field.after else "no longer protected"
    verb = {"version": "upgraded", "state": "started or stopped"}.get(field.field, "scaled")
    return Action.UPDATE, verb


def problems(
    name: str,
    changed: tuple[FieldChange, ...],
    before: dict[str, Any],
    catalog: Catalog | None,
    where: Location,
) -> Iterator[Diagnostic]:
    """What CKS would refuse of an in-place change, before any call; a busy cluster noted."""
    fields = {field.field: field for field in changed}
    state = str(before.get("state"))
    if state not in (*SETTLED, FAILED):
        yield warning(
            Code.KUBERNETES_BUSY,
            f"kubernetes_cluster '{name}' is {state} in CloudStack now, which refuses other "
            "operations on it until that ends",
            where,
            "plan again once CloudStack is done with it",
        )
    if "offering" in fields and catalog is not None:
        yield from _offering(name, fields["offering"], catalog, where)
    if "version" in fields and catalog is not None and catalog.kubernetes_versions:
        yield from _upgrade(name, fields["version"], catalog, where)


def _offering(
    name: str, field: FieldChange, catalog: Catalog, where: Location
) -> Iterator[Diagnostic]:
    old = catalog.service_offerings.get(str(field.before))
    new = catalog.service_offerings.get(str(field.after))
    if old is None or new is None:
        return
    if new.cpu < old.cpu or new.memory_mib < old.memory_mib:
        yield error(
            Code.IMPOSSIBLE_CHANGE,
            f"kubernetes_cluster '{name}': its nodes cannot scale down from offering "
            f"'{old.name}' ({old.cpu} CPU, {old.memory_mib} MiB) to '{new.name}' "
            f"({new.cpu} CPU, {new.memory_mib} MiB)",
            where,
            "keep the offering or choose a larger one; a smaller one needs a new cluster "
            "under a new name",
        )


def _upgrade(
    name: str, field: FieldChange, catalog: Catalog, where: Location
) -> Iterator[Diagnostic]:
    versions = catalog.kubernetes_versions or {}
    old, new = versions.get(str(field.before)), versions.get(str(field.after))
    if old is None or new is None:  # an unknown target is SG235 already; an unknown source:
        return  # the cloud no longer lists it, and CKS judges the upgrade
    why = _refusal(old.semantic_version, new.semantic_version)
    if why:
        yield error(
            Code.KUBERNETES_UPGRADE,
            f"kubernetes_cluster '{name}' cannot go from {old.name} to {new.name}: {why}",
            where,
            _next_hint(old.semantic_version, versions),
        )


def _refusal(current: str, target: str) -> str:
    """canUpgradeKubernetesVersion's refusal of ``current`` → ``target`` ("": none; an
    equal version is no change, and a version that is no semantic version CKS judges)."""
    now, then = semantic(current), semantic(target)
    if len(now) < 2 or len(then) < 2:
        return ""
    if then < now:
        return "Kubernetes clusters can not be downgraded"
    if then[0] != now[0] or then[1] - now[1] > 1:
        return "Kubernetes clusters can be upgraded between next minor or patch version releases"
    return ""


def _next_hint(current: str, versions: Mapping[str, KubernetesVersion]) -> str:
    steps = sorted(
        (semantic(v.semantic_version), v.name)
        for v in versions.values()
        if v.enabled
        and semantic(v.semantic_version) > semantic(current)
        and not _refusal(current, v.semantic_version)
    )
    if not steps:
        return "the cloud lists no version this cluster can be upgraded to"
    return f"upgrade one minor version at a time: next is {steps[-1][1]}"
