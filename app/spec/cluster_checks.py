"""What CloudStack refuses of clusters and templates that the repo alone shows, found before
any call: two clusters on one network (KubernetesClusterManagerImpl: "already under use by
another Kubernetes cluster"), an instance on a project template not registered in its zone,
and a snapshot policy on a volume attached to no instance.
"""

from __future__ import annotations

from collections.abc import Iterator

from app.spec.diagnostics import Code, Diagnostic, error
from app.spec.model import Project
from app.spec.state import SourceMap


def _shared_networks(project: Project, sources: SourceMap) -> Iterator[Diagnostic]:
    first: dict[str, str] = {}
    for name, cluster in project.kubernetes_clusters.items():
        other = first.setdefault(cluster.network, name)
        if other != name:
            yield error(
                Code.CLUSTER_NETWORK_TAKEN,
                f"network '{cluster.network}' already holds kubernetes cluster '{other}'",
                sources.where(project.name, "kubernetes_clusters", name, "network"),
                "CKS puts one cluster on a network: give this one its own network or tier",
            )


def _template_zones(project: Project, sources: SourceMap) -> Iterator[Diagnostic]:
    for name, instance in project.instances.items():
        template = project.templates.get(instance.template)
        zone = instance.zone or project.zone
        zones = (template.zones or [project.zone]) if template else [zone]
        if zone not in zones:
            yield error(
                Code.TEMPLATE_NOT_IN_ZONE,
                f"template '{instance.template}' is not registered in zone '{zone}'",
                sources.where(project.name, "instances", name, "template"),
                f"add {zone} to the template's zones, or use it in: {', '.join(zones)}",
            )


def _detached_policies(project: Project, sources: SourceMap) -> Iterator[Diagnostic]:
    """SnapshotManagerImpl.createPolicy refuses a volume that is not Ready ("... is not in
    Ready state but Allocated. Cannot take snapshot."): a data volume is Ready once attached."""
    for name, volume in project.volumes.items():
        if volume.snapshot_policy is not None and volume.attach_to is None:
            yield error(
                Code.POLICY_ON_DETACHED_VOLUME,
                f"volume '{name}' has a snapshot policy but is attached to no instance",
                sources.where(project.name, "volumes", name, "snapshot_policy"),
                "add attach_to: CloudStack schedules snapshots only of a volume in use",
            )


def check_clusters(project: Project, sources: SourceMap) -> list[Diagnostic]:
    return [
        *_shared_networks(project, sources),
        *_template_zones(project, sources),
        *_detached_policies(project, sources),
    ]
