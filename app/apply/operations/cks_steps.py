"""What a Kubernetes cluster still lacks, one CKS call at a time, read from the cluster itself.

The order: start, scale, upgrade, stop. A stopped cluster is started first when it must run,
and also when its worker count or version changes, since CKS scales the size only of a
running (or just created) cluster (validateKubernetesClusterScaleParameters) and upgrades
only a running one (validateKubernetesClusterUpgradeParameters); it is stopped again last.
Scale goes before upgrade: a newer version may need more CPUs or memory than the nodes'
offering has (the upgrade refuses an offering below its minimum), while the scale is judged
against the current version. Each step reads the cluster first (and waits out a passing
state: a resumed apply may find its own call still running), so nothing is sent twice.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from app.apply.operations.base import Context
from app.apply.operations.common import Unresolved, after, catalog_id
from app.apply.operations.passing import settled as wait_out
from app.cloudstack.errors import CloudStackError
from app.plan.model import Change

Row = dict[str, Any]
Step = tuple[str, dict[str, Any]]  # command, parameters
# KubernetesCluster.State: the states a cluster passes through on its way to another
PASSING = frozenset({"Created", "Starting", "Scaling", "Upgrading", "Stopping", "Destroying"})
RUNNING = ("Running", "Alert")  # Alert: running, with a node CKS could not reach
LIST = "listKubernetesClusters"


def listed(ctx: Context, **match: str) -> Row | None:
    """The project's cluster with these values (its ``id``, or its ``name``), as listed now."""
    rows = ctx.client.list(LIST, projectid=ctx.project_id, **match)
    return next((r for r in rows if all(str(r.get(k)) == v for k, v in match.items())), None)


def settled(ctx: Context, look: Callable[[], Row | None], name: str) -> Row | None:
    """The cluster ``look`` finds once it is in no passing state (None: there is none)."""
    return wait_out(ctx, look, PASSING, LIST, f"cluster {name}")


def version_id(ctx: Context, change: Change, command: str) -> str:
    """The id of the version the change names, as listKubernetesSupportedVersions lists it."""
    name = after(change)["version"]
    version = (ctx.catalog.kubernetes_versions or {}).get(name)
    if version is None:
        raise Unresolved(ctx.client.cloud, command, f"the cloud lists no Kubernetes version {name}")
    return version.id


def live(ctx: Context, change: Change, cluster_id: str) -> Row:
    """The cluster an update acts on, settled; gone or failed (Error), nothing can be sent."""
    cluster = settled(ctx, lambda: listed(ctx, id=cluster_id), change.name)
    if cluster is None:
        raise Unresolved(ctx.client.cloud, LIST, f"{change.address} is gone")
    if cluster.get("state") == "Error":
        raise CloudStackError(ctx.client.cloud, LIST, f"{change.address} is in Error state")
    return cluster


def next_step(ctx: Context, change: Change, cluster: Row) -> Step | None:
    """The next call the cluster needs to be as the change says; None when it is."""
    fields = after(change)
    cluster_id, state = str(cluster["id"]), cluster.get("state")
    new_size = int(cluster.get("size") or 0) != fields["size"]
    new_offering = cluster.get("serviceofferingname") != fields["offering"]
    new_version = cluster.get("kubernetesversionname") != fields["version"]
    running = state in RUNNING
    if not running and (fields["state"] == "Running" or new_size or new_version):
        return "startKubernetesCluster", {"id": cluster_id}
    if new_size or new_offering:
        scale: dict[str, Any] = {"id": cluster_id}
        if new_offering:
            offerings = ctx.catalog.service_offerings
            command = "scaleKubernetesCluster"
            scale["serviceofferingid"] = catalog_id(ctx, offerings, fields["offering"], command)
        if new_size:
            scale["size"] = fields["size"]
        return "scaleKubernetesCluster", scale
    if new_version:
        version = version_id(ctx, change, "upgradeKubernetesCluster")
        return "upgradeKubernetesCluster", {"id": cluster_id, "kubernetesversionid": version}
    if running and fields["state"] == "Stopped":
        return "stopKubernetesCluster", {"id": cluster_id}
    return None


def first_step(ctx: Context, change: Change, cluster_id: str) -> Step | None:
    """The next call, read from the cluster as it is now."""
    return next_step(ctx, change, live(ctx, change, cluster_id))


def converge(ctx: Context, change: Change, cluster_id: str) -> None:
    """Every call the cluster still needs, each awaited; one that left the cluster unchanged
    would be sent again, so it is an error instead."""
    sent: set[str] = set()
    while (step := first_step(ctx, change, cluster_id)) is not None:
        command, params = step
        if command in sent:
            text = f"{change.address} still differs from the repo after {command}"
            raise CloudStackError(ctx.client.cloud, command, text)
        sent.add(command)
        ctx.client.run(command, **params)
