"""The Kubernetes Service's refusals, in KubernetesClusterManagerImpl's order and words
(validateKubernetesClusterCreateParameters, validateNetwork, validateServiceOffering,
validateKubernetesClusterScaleParameters, validateKubernetesClusterUpgradeParameters,
KubernetesVersionManagerImpl.canUpgradeKubernetesVersion), and the scale itself."""

from __future__ import annotations

from app.sandbox.api import Ctx
from app.sandbox.catalog_rows import semantic
from app.sandbox.commands.cks_nodes import add_node, cluster_vms, remove_node
from app.sandbox.errors import (
    ACCOUNT_ERROR,
    CS_PERMISSION_DENIED,
    ApiError,
    invalid_parameter,
    runtime_error,
)
from app.sandbox.store import Row

MIN_CPU, MIN_MEMORY = 2, 2048  # MIN_KUBERNETES_CLUSTER_NODE_CPU / _RAM_SIZE
# cloud.kubernetes.cluster.max.size (default 10, per account): the sandbox's operator set 50,
# so that a 3-control, 10-worker cluster fits
MAX_CLUSTER_SIZE = 50
_SERVICES = (("UserData", "userdata"), ("Firewall", "firewall"))
_MORE = (("PortForwarding", "port forwarding"), ("Dhcp", "DHCP"))


def in_state(cluster: Row, *allowed: str) -> None:
    """PermissionDeniedException (531) for a cluster in a state the operation cannot start from."""
    if cluster["state"] not in allowed:
        raise ApiError(
            ACCOUNT_ERROR,
            f"Kubernetes cluster : {cluster['name']} is in {cluster['state']} state",
            CS_PERMISSION_DENIED,
        )


def check_sizes(controls: int, size: int) -> None:
    if controls < 1:
        raise invalid_parameter(f"Invalid cluster control nodes count: {controls}")
    if size < 1:
        raise invalid_parameter(f"Invalid cluster size: {size}")
    _within_max(controls + size)


def _within_max(total: int) -> None:
    if total > MAX_CLUSTER_SIZE:
        raise invalid_parameter(
            f"Maximum cluster size can not exceed {MAX_CLUSTER_SIZE}. Please contact your "
            "administrator"
        )


def check_offering(offering: Row, version: Row) -> None:
    """validateServiceOffering at create."""
    label = f"Kubernetes cluster cannot be created with service offering ID: {offering['id']}"
    if offering.get("iscustomized"):
        raise invalid_parameter(
            "Custom service offerings are not supported for creating clusters, service offering "
            f"ID: {offering['id']}"
        )
    if offering["cpunumber"] < MIN_CPU or offering["memory"] < MIN_MEMORY:
        raise invalid_parameter(
            f"{label}, Kubernetes cluster template(CoreOS) needs minimum {MIN_CPU} vCPUs and "
            f"{MIN_MEMORY} MB RAM"
        )
    if offering["cpunumber"] < version["mincpunumber"]:
        raise invalid_parameter(
            f"{label}, Kubernetes version ID: {version['id']} needs minimum "
            f"{version['mincpunumber']} vCPUs"
        )
    if offering["memory"] < version["minmemory"]:
        raise invalid_parameter(
            f"{label}, associated Kubernetes version ID: {version['id']} needs minimum "
            f"{version['minmemory']} MB RAM"
        )


def check_network(ctx: Ctx, network: Row, controls: int) -> None:
    """getKubernetesClusterNetworkIfMissing: an isolated network (or VPC tier) no other cluster
    uses, offering what the nodes need; a shared one needs an external LB address for HA."""
    if network["type"] == "Shared":
        if controls > 1 and not ctx.request.get("externalloadbalanceripaddress"):
            raise invalid_parameter(
                f"Multi-control nodes, HA Kubernetes cluster with Shared network ID: "
                f"{network['id']} needs an external load balancer IP address. "
                "externalloadbalanceripaddress parameter can be used"
            )
        return
    if any(c["networkid"] == network["id"] for c in ctx.state.table("kubernetes_clusters")):
        raise invalid_parameter(
            f"Network ID: {network['id']} is already under use by another Kubernetes cluster"
        )
    services = {service["name"] for service in network.get("service", [])}
    for service, words in (*_SERVICES, *_MORE):
        if service == "Firewall" and network.get("vpcid"):
            continue  # a VPC tier's traffic is filtered by its ACL (newer validateNetwork)
        if service not in services:
            raise invalid_parameter(
                f"Network ID: {network['id']} does not support {words} that is required for "
                "Kubernetes cluster"
            )


def check_scale(ctx: Ctx, cluster: Row, offering: Row | None, size: int | None) -> None:
    name = cluster["name"]
    if offering is None and size is None:
        raise invalid_parameter(
            f"Kubernetes cluster : {name} cannot be scaled, either a new service offering or a "
            "new cluster size must be passed"
        )
    version = ctx.state.table("kubernetes_versions").rows[cluster["kubernetesversionid"]]
    if offering is not None:
        _scale_offering(ctx, cluster, offering, version)
    in_state(cluster, "Created", "Running", "Stopped")
    if size is not None:
        in_state(cluster, "Created", "Running")  # a stopped cluster's size cannot change
        if size < 1:
            raise invalid_parameter(
                f"Kubernetes cluster : {name} cannot be scaled for size, {size}"
            )
        _within_max(cluster["controlnodes"] + size)


def _scale_offering(ctx: Ctx, cluster: Row, offering: Row, version: Row) -> None:
    label = (
        f"Kubernetes cluster : {cluster['name']} cannot be scaled with service offering : "
        f"{offering['name']}"
    )
    if offering.get("iscustomized"):
        raise invalid_parameter(
            "Custom service offerings are not supported for Kubernetes clusters. Kubernetes "
            f"cluster : {cluster['name']}, service offering : {offering['name']}"
        )
    if offering["cpunumber"] < MIN_CPU or offering["memory"] < MIN_MEMORY:
        raise invalid_parameter(
            f"{label}, Kubernetes cluster template(CoreOS) needs minimum {MIN_CPU} vCPUs and "
            f"{MIN_MEMORY} MB RAM"
        )
    for field, unit, key in (
        ("mincpunumber", "vCPUs", "cpunumber"),
        ("minmemory", "MB RAM", "memory"),
    ):
        if offering[key] < version[field]:
            raise invalid_parameter(
                f"{label}, associated Kubernetes version : {version['name']} needs minimum "
                f"{version[field]} {unit}"
            )
    current = ctx.state.table("service_offerings").rows[cluster["serviceofferingid"]]
    power = offering["cpunumber"] * offering["cpuspeed"]
    if offering["memory"] < current["memory"] or power < current["cpunumber"] * current["cpuspeed"]:
        raise runtime_error(
            "Kubernetes cluster cannot be scaled down for service offering. Service offering : "
            f"{offering['name']} offers lesser resources as compared to service offering : "
            f"{current['name']} of Kubernetes cluster : {cluster['name']}"
        )


def check_upgrade(ctx: Ctx, cluster: Row, version: Row) -> None:
    name = cluster["name"]
    if cluster["state"] != "Running":
        raise invalid_parameter(f"Kubernetes cluster : {name} is not in running state")
    if version["state"] != "Enabled":
        raise invalid_parameter(
            f"Kubernetes version ID: {version['id']} for upgrade is in {version['state']} state"
        )
    offering = ctx.state.table("service_offerings").rows[cluster["serviceofferingid"]]
    for field, unit, key in (
        ("mincpunumber", "vCPUs", "cpunumber"),
        ("minmemory", "MB RAM", "memory"),
    ):
        if offering[key] < version[field]:
            raise invalid_parameter(
                f"Kubernetes cluster : {name} cannot be upgraded with Kubernetes version : "
                f"{version['name']} which needs minimum {version[field]} {unit} while associated "
                f"service offering : {offering['name']} offers only {offering[key]} {unit}"
            )
    current = ctx.state.table("kubernetes_versions").rows[cluster["kubernetesversionid"]]
    now, then = current["semanticversion"], version["semanticversion"]
    words = f"current version: {now}, upgrade version: {then}"
    if semantic(then) == semantic(now):
        raise invalid_parameter(f"Kubernetes clusters can not be upgraded, {words}")
    if semantic(then) < semantic(now):
        raise invalid_parameter(f"Kubernetes clusters can not be downgraded, {words}")
    if semantic(then)[0] != semantic(now)[0] or semantic(then)[1] - semantic(now)[1] > 1:
        raise invalid_parameter(
            "Kubernetes clusters can be upgraded between next minor or patch version releases, "
            + words
        )


def resize(
    ctx: Ctx, cluster: Row, offering: Row | None, size: int | None, controls: int | None = None
) -> None:
    """KubernetesClusterScaleWorker: nodes' offering changed in place, workers added or the
    newest removed; ``controls`` only for a delete, which removes every node."""
    if offering is not None:
        cluster.update(serviceofferingid=offering["id"], serviceofferingname=offering["name"])
        for vm in cluster_vms(ctx, cluster):
            vm.update(
                serviceofferingid=offering["id"],
                serviceofferingname=offering["name"],
                cpunumber=offering["cpunumber"],
                cpuspeed=offering["cpuspeed"],
                memory=offering["memory"],
            )
    if size is None:
        return
    nodes = cluster_vms(ctx, cluster)
    keep_controls = cluster["controlnodes"] if controls is None else controls
    workers = nodes[cluster["controlnodes"] :]
    while len(workers) > size:
        remove_node(ctx, cluster, workers.pop())
    while len(workers) < size:
        workers.append(add_node(ctx, cluster, control=False))
    for vm in nodes[keep_controls : cluster["controlnodes"]]:
        remove_node(ctx, cluster, vm)
    cluster["size"] = size
