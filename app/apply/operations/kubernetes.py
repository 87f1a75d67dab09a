"""Kubernetes clusters of CloudStack's Kubernetes Service (KubernetesClusterManagerImpl), each
call async: createKubernetesCluster (CreateKubernetesClusterCmd, a BaseAsyncCreateCmd: the
answer names the cluster, persisted in Created; its job starts it, nodes and all, to Running,
or leaves it in Error), scaleKubernetesCluster (ScaleKubernetesClusterCmd: serviceofferingid,
size), upgradeKubernetesCluster (UpgradeKubernetesClusterCmd: kubernetesversionid),
startKubernetesCluster and stopKubernetesCluster (Start/StopKubernetesClusterCmd) and
deleteKubernetesCluster (DeleteKubernetesClusterCmd: its DestroyWorker expunges the nodes).

Clusters take no tags (ResourceTag.ResourceObjectType has no KubernetesCluster), so, as for
affinity groups, the project records the ones stackgate made in ``stackgate.kubernetes.<name>``
tags (value: the repo), and a protected one's mark in ``stackgate.protected.kubernetes.<name>``,
written once the cluster runs as the repo says. A create killed in flight is found again by
its name in the project (CKS keeps the name; the sandbox and CKS refuse no twin, so it is
never sent twice). Every other step reads the cluster first and
sends only what it still lacks, so a resumed step repeats nothing. stackgate never calls
getKubernetesClusterConfig: the kubeconfig is the team's to fetch with its own key.
"""

from __future__ import annotations

from typing import Any

from app.apply.operations.base import Context, Submitted
from app.apply.operations.cks_steps import (
    LIST,
    converge,
    first_step,
    listed,
    settled,
    version_id,
)
from app.apply.operations.common import (
    Kind,
    Operations,
    Unresolved,
    after,
    catalog_id,
    display_text,
    live_id,
    ref,
    zone_id,
)
from app.apply.operations.create import Create
from app.apply.operations.recorded import DeleteRecorded
from app.apply.operations.tags import project_tags, record
from app.cloudstack.inventory import KUBERNETES_TAG
from app.plan.model import Action, Change

CREATE = "createKubernetesCluster"
CLUSTERS = Kind(LIST, "", "kubernetescluster", named=True)


def _named(ctx: Context, change: Change) -> dict[str, Any] | None:
    """The project's cluster of this name, once it is in no passing state."""
    return settled(ctx, lambda: listed(ctx, name=change.name), change.name)


def _by_id(ctx: Context, change: Change) -> dict[str, Any] | None:
    """The live cluster a delete removes, once it is in no passing state."""
    cluster_id = live_id(ctx, change, "deleteKubernetesCluster")
    return settled(ctx, lambda: listed(ctx, id=cluster_id), change.name)


def _recorded(ctx: Context, change: Change) -> bool:
    return project_tags(ctx).get(KUBERNETES_TAG + change.name) == ctx.repo


def _protected(change: Change) -> bool:
    return bool(after(change).get("protected"))


class CreateCluster(Create):
    """A ``Create``, so that a failed create job's leftover (a cluster in Error) is removed
    by its delete, as a failed deploy's VM is (executor: ``_clear_leftover``)."""

    kind_name = "kubernetes_cluster"
    command = CREATE

    @property
    def kind(self) -> Kind:
        return CLUSTERS

    def params(self, ctx: Context, change: Change) -> dict[str, Any]:
        fields = after(change)
        optional = {
            "keypair": fields.get("ssh_key"),
            "noderootdisksize": fields.get("node_root_disk_gib"),
        }
        return {
            "name": change.name,
            "description": display_text(change),
            "zoneid": zone_id(ctx, change, CREATE),
            "kubernetesversionid": version_id(ctx, change, CREATE),
            "serviceofferingid": catalog_id(
                ctx, ctx.catalog.service_offerings, fields["offering"], CREATE
            ),
            "networkid": ref(ctx, "network", fields["network"], CREATE),
            "controlnodes": fields["control_nodes"],
            "size": fields["size"],
            "projectid": ctx.project_id,
            **{key: value for key, value in optional.items() if value is not None},
        }

    def submit(self, ctx: Context, change: Change) -> Submitted:
        known = _named(ctx, change)
        if known is not None and known["state"] == "Error":
            # What a create that failed unwatched (its process killed) left: removed first,
            # as a failed create's leftover is, so that the name is free and no quota held.
            ctx.client.run("deleteKubernetesCluster", id=known["id"])
            ctx.notes[change.address] = f"a cluster left in Error ({known['id']}) was removed"
            known = None
        if known is not None:  # made before a restart
            return Submitted(resource_id=str(known["id"]))
        return super().submit(ctx, change)

    def finish(
        self, ctx: Context, change: Change, submitted: Submitted, result: dict[str, Any]
    ) -> str | None:
        made = result.get(CLUSTERS.answer_key) or {}
        cluster_id = submitted.resource_id or made.get("id")
        if not cluster_id:
            raise Unresolved(ctx.client.cloud, CREATE, "the answer names no cluster")
        converge(ctx, change, str(cluster_id))  # CKS makes it running: stopped if the repo says
        record(ctx, KUBERNETES_TAG + change.name, ours=True, protected=_protected(change))
        return str(cluster_id)

    def find(self, ctx: Context, change: Change) -> str | None:
        """Made, recorded on the project and not failed: the create is done."""
        cluster = _named(ctx, change)
        usable = cluster is not None and cluster["state"] != "Error"
        return str(cluster["id"]) if cluster and usable and _recorded(ctx, change) else None


class UpdateCluster:
    """Scale, upgrade, start or stop, in the order ``cks_steps.first_step`` gives; also the
    adopt of an untagged cluster, which it ends by recording."""

    def submit(self, ctx: Context, change: Change) -> Submitted:
        cluster_id = live_id(ctx, change, "scaleKubernetesCluster")
        step = first_step(ctx, change, cluster_id)
        if step is None:
            return Submitted(resource_id=cluster_id)
        command, params = step
        answer = ctx.client.request(command, **params)
        return Submitted(str(answer["jobid"]), cluster_id)

    def finish(
        self, ctx: Context, change: Change, _submitted: Submitted, _result: dict[str, Any]
    ) -> str | None:
        cluster_id = live_id(ctx, change, "scaleKubernetesCluster")
        converge(ctx, change, cluster_id)
        record(ctx, KUBERNETES_TAG + change.name, ours=True, protected=_protected(change))
        return cluster_id

    def find(self, _ctx: Context, _change: Change) -> str | None:
        return None  # each call looks at the cluster first: running it again is harmless


OPERATIONS: Operations = {
    ("kubernetes_cluster", Action.CREATE): CreateCluster(),
    ("kubernetes_cluster", Action.UPDATE): UpdateCluster(),
    ("kubernetes_cluster", Action.DELETE): DeleteRecorded(
        _by_id, "deleteKubernetesCluster", KUBERNETES_TAG
    ),
}
