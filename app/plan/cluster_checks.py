"""What the cloud's Kubernetes Service refuses of a cluster, checked against its catalog before
any call (KubernetesClusterManagerImpl.validateManagedKubernetesClusterCreateParameters and
validateServiceOffering): a version it does not list or has disabled, an offering below the
version's (or CKS's own) minimum, HA on a version without it; and template zones it lacks."""

from __future__ import annotations

from collections.abc import Iterator

from app.cloudstack.model import Catalog, KubernetesVersion
from app.spec.diagnostics import Code, Diagnostic, Location, did_you_mean, error
from app.spec.kubernetes import KubernetesCluster
from app.spec.model import Project
from app.spec.references import tier_names
from app.spec.state import SourceMap

# KubernetesClusterService.MIN_KUBERNETES_CLUSTER_NODE_CPU / _RAM_SIZE and
# MIN_KUBERNETES_VERSION_HA_SUPPORT
MIN_NODE_CPU = 2
MIN_NODE_MEMORY_MIB = 2048
MIN_HA_VERSION = (1, 16, 0)
# CreateKubernetesClusterCmd.getNodeRootDiskSize refuses less than DEFAULT_NODE_ROOT_DISK_SIZE
MIN_NODE_ROOT_GIB = 8
# KubernetesClusterManagerImpl.validateNetwork: what a cluster's isolated network must offer
# (Firewall not on a VPC tier, whose traffic its ACL filters)
NEEDED_SERVICES = ("UserData", "Firewall", "PortForwarding", "Dhcp")


def semantic(version: str) -> tuple[int, ...]:
    parts = version.split(".")
    return tuple(int(p) for p in parts) if all(p.isdigit() for p in parts) else ()


def _version(
    cluster: KubernetesCluster, versions: dict[str, KubernetesVersion], zone_id: str
) -> tuple[KubernetesVersion | None, str]:
    """The version a cluster may use, or why not (as a message)."""
    found = versions.get(cluster.version)
    if found is None:
        return None, f"the cloud lists no Kubernetes version '{cluster.version}'"
    if not found.enabled or found.zone_id not in ("", zone_id):
        return None, f"Kubernetes version '{cluster.version}' is disabled or not in this zone"
    return found, ""


def _offering(
    cluster: KubernetesCluster, version: KubernetesVersion, catalog: Catalog, where: Location
) -> Iterator[Diagnostic]:
    offering = catalog.service_offerings.get(cluster.offering)
    if offering is None:
        return
    cpu, memory = (
        max(MIN_NODE_CPU, version.min_cpu),
        max(MIN_NODE_MEMORY_MIB, version.min_memory_mib),
    )
    if offering.cpu < cpu or offering.memory_mib < memory:
        yield error(
            Code.KUBERNETES_OFFERING_TOO_SMALL,
            f"offering '{offering.name}' ({offering.cpu} CPU, {offering.memory_mib} MiB) is below"
            f" what version '{version.name}' needs ({cpu} CPU, {memory} MiB)",
            where,
            "use a larger service offering",
        )


def _cluster(
    project: Project, name: str, cluster: KubernetesCluster, catalog: Catalog, sources: SourceMap
) -> Iterator[Diagnostic]:
    at = ("kubernetes_clusters", name)
    root = cluster.node_root_disk.mib // 1024 if cluster.node_root_disk else MIN_NODE_ROOT_GIB
    if root < MIN_NODE_ROOT_GIB:
        yield error(
            Code.DISK_SIZE,
            f"node root disk {root}GiB is below CKS's minimum of {MIN_NODE_ROOT_GIB}GiB",
            sources.where(project.name, *at, "node_root_disk"),
            f"use {MIN_NODE_ROOT_GIB}GiB or more, or leave node_root_disk out",
        )
    if catalog.kubernetes_versions is None:
        yield error(
            Code.NO_KUBERNETES_SERVICE,
            f"cloud '{project.cloud}' does not offer Kubernetes clusters",
            sources.where(project.name, *at, key=True),
            "its Kubernetes Service is not enabled: ask the platform team",
        )
        return
    zone = catalog.zones.get(cluster.zone or project.zone)
    versions = dict(catalog.kubernetes_versions)
    version, why = _version(cluster, versions, zone.id if zone else "")
    if version is None:
        usable = sorted(v.name for v in versions.values() if v.enabled)
        yield error(
            Code.UNKNOWN_KUBERNETES_VERSION,
            why,
            sources.where(project.name, *at, "version"),
            did_you_mean(cluster.version, usable) or f"it lists: {', '.join(usable) or 'none'}",
        )
        return
    yield from _offering(cluster, version, catalog, sources.where(project.name, *at, "offering"))
    yield from _network(project, cluster, catalog, sources.where(project.name, *at, "network"))
    numbers = semantic(version.semantic_version)
    if cluster.control_nodes > 1 and (not version.supports_ha or numbers < MIN_HA_VERSION):
        yield error(
            Code.KUBERNETES_HA_UNSUPPORTED,
            f"Kubernetes version '{version.name}' does not support more than one control node",
            sources.where(project.name, *at, "control_nodes"),
            "use one control node, or a version with HA (1.16.0 and above)",
        )


def _network(
    project: Project, cluster: KubernetesCluster, catalog: Catalog, where: Location
) -> Iterator[Diagnostic]:
    """What validateNetwork refuses of the network the repo gives the cluster."""
    tiers = tier_names(project)
    if cluster.network in tiers:
        declared = project.vpcs[tiers[cluster.network]].tiers[cluster.network].offering
    elif cluster.network in project.networks:
        declared = project.networks[cluster.network].offering
    else:
        return  # SG110 already
    offering = catalog.network_offerings.get(declared)
    if offering is None:
        return  # SG205 already
    if offering.guest_ip_type == "Shared":
        if cluster.control_nodes > 1:
            yield error(
                Code.KUBERNETES_NETWORK,
                f"a cluster with {cluster.control_nodes} control nodes on shared network "
                f"'{cluster.network}' needs an external load balancer address, which the repo "
                "format does not take",
                where,
                "use an isolated network or a VPC tier, or one control node",
            )
        return
    needed = [s for s in NEEDED_SERVICES if not (s == "Firewall" and cluster.network in tiers)]
    missing = [service for service in needed if service not in offering.services]
    if missing:
        yield error(
            Code.KUBERNETES_NETWORK,
            f"network '{cluster.network}' (offering '{declared}') does not offer "
            f"{', '.join(missing)}, which a Kubernetes cluster needs",
            where,
            "put the cluster on a network whose offering has them",
        )


def check_clusters(project: Project, catalog: Catalog, sources: SourceMap) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    for name, cluster in project.kubernetes_clusters.items():
        found += _cluster(project, name, cluster, catalog, sources)
    return found
