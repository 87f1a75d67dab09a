"""Desired Kubernetes clusters, templates and snapshot policies, as plan entries.

A snapshot policy is an object of its own in CloudStack (createSnapshotPolicy gives it an id,
updateSnapshotPolicy and deleteSnapshotPolicy take it), so it is its own kind: named after its
volume, or ``<instance>:root`` for an instance's root disk (':' is in no volume's name).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from app.cloudstack.model import Catalog
from app.plan.networking import Entry
from app.spec.model import Project
from app.spec.references import tier_names
from app.spec.snapshots import SnapshotPolicy


def _policy_fields(policy: SnapshotPolicy, disk: dict[str, str]) -> dict[str, Any]:
    return {
        **disk,
        "interval": policy.schedule,
        "schedule": policy.cloudstack_schedule,
        "timezone": policy.timezone,
        "keep": policy.keep,
    }


def _policies(project: Project) -> Iterator[Entry]:
    for name, volume in project.volumes.items():
        if volume.snapshot_policy:
            fields = _policy_fields(volume.snapshot_policy, {"volume": name})
            path = ("volumes", name, "snapshot_policy")
            yield "snapshot_policy", name, volume.snapshot_policy, path, fields
    for name, instance in project.instances.items():
        if instance.snapshot_policy:
            fields = _policy_fields(instance.snapshot_policy, {"root_of": name})
            path = ("instances", name, "snapshot_policy")
            yield "snapshot_policy", f"{name}:root", instance.snapshot_policy, path, fields


# CreateKubernetesClusterCmd.DEFAULT_NODE_ROOT_DISK_SIZE: each node's ROOT volume without
# noderootdisksize, so an unset node_root_disk compares equal to what the cloud made
DEFAULT_ROOT_GIB = 8


def _clusters(project: Project, catalog: Catalog | None) -> Iterator[Entry]:
    tiers = tier_names(project)
    for name, cluster in project.kubernetes_clusters.items():
        # on a VPC tier: CKS takes a public address for it (acquireVpcTierKubernetesPublicIp)
        vpc = {"vpc": tiers[cluster.network]} if cluster.network in tiers else {}
        offering = catalog.service_offerings.get(cluster.offering) if catalog else None
        size = {"cpu": offering.cpu, "memory_mib": offering.memory_mib} if offering else {}
        root = cluster.node_root_disk.mib // 1024 if cluster.node_root_disk else DEFAULT_ROOT_GIB
        yield (
            "kubernetes_cluster",
            name,
            cluster,
            ("kubernetes_clusters", name),
            {
                "version": cluster.version,
                "control_nodes": cluster.control_nodes,
                "size": cluster.size,
                "offering": cluster.offering,
                "network": cluster.network,
                "ssh_key": cluster.ssh_key,
                "node_root_disk_gib": root,
                "zone": cluster.zone or project.zone,
                "description": cluster.description,
                "state": cluster.state,
                **size,
                **vpc,
            },
        )


def cluster_entries(project: Project, catalog: Catalog | None) -> Iterator[Entry]:
    """(kind, name, item, path in the project, fields) of every entry of these kinds."""
    for name, template in project.templates.items():
        fields = {
            "url": template.url,
            "checksum": template.checksum,
            "format": template.format,
            "hypervisor": template.hypervisor,
            "os_type": template.os_type,
            "zones": sorted(template.zones or [project.zone]),
            "description": template.description,
            "download_error": None,  # a failed download's error (see backup_reading.py)
        }
        yield "template", name, template, ("templates", name), fields
    yield from _clusters(project, catalog)
    yield from _policies(project)
