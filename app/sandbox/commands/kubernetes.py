"""The CloudStack Kubernetes Service (KubernetesClusterManagerImpl, KubernetesVersionManagerImpl):
versions, and clusters through Created → Starting → Running, Scaling, Upgrading, Stopping →
Stopped, Destroying → gone, or Error when a create fails. Clusters take no tags: CloudStack's
ResourceObjectType has no KubernetesCluster."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from typing import Any

from app.sandbox.api import Answer, Ctx, command
from app.sandbox.catalog_rows import MIN_HA_VERSION, semantic
from app.sandbox.commands.addresses import release_address
from app.sandbox.commands.cks_checks import (
    check_network,
    check_offering,
    check_scale,
    check_sizes,
    check_upgrade,
    in_state,
    resize,
)
from app.sandbox.commands.cks_nodes import (
    DEFAULT_ROOT_GIB,
    provision,
    reconcile_alerts,
    release_tier_address,
    render,
    set_power,
)
from app.sandbox.commands.cks_rules import remove_rules, rescale_rules, setup_rules
from app.sandbox.commands.networks import new_network
from app.sandbox.errors import (
    ACCOUNT_ERROR,
    CS_PERMISSION_DENIED,
    ApiError,
    invalid_parameter,
    runtime_error,
    unavailable_command,
)
from app.sandbox.listing import list_body, visible
from app.sandbox.store import Outcome, Row


def _enabled(ctx: Ctx) -> None:
    """With cloud.kubernetes.service.enabled off the plugin registers no commands (432)."""
    if not len(ctx.state.table("kubernetes_versions")):
        raise unavailable_command(ctx.request.command, ctx.state.account.user_id)


@command("listKubernetesSupportedVersions")
def list_kubernetes_supported_versions(ctx: Ctx) -> dict[str, Any]:
    _enabled(ctx)
    zone, minimum = ctx.request.get("zoneid"), ctx.request.get("minimumsemanticversion")

    def keep(version: Row) -> bool:
        return (not zone or version.get("zoneid") in (None, zone)) and (
            not minimum or semantic(version["semanticversion"]) >= semantic(minimum)
        )

    return list_body(
        ctx.request, "kubernetessupportedversion", ctx.state.table("kubernetes_versions"), keep
    )


def _cluster(ctx: Ctx) -> Row:
    _enabled(ctx)
    reconcile_alerts(ctx)
    return ctx.entity("kubernetes_clusters", "id")


# CreateKubernetesClusterCmd (BaseAsyncCreateCmd): create() validates and persists the cluster
# in Created (validateKubernetesClusterCreateParameters, getKubernetesClusterNetworkIfMissing);
# execute() starts it (startKubernetesClusterOnCreate), the nodes made in the job. A name is
# checked only for being empty and may repeat (no unique key on kubernetes_cluster.name).
@command("createKubernetesCluster")
def create_kubernetes_cluster(ctx: Ctx) -> Answer:
    _enabled(ctx)
    request = ctx.request
    name = request.require("name")
    zone = ctx.entity("zones", "zoneid")
    controls = request.number("controlnodes") or request.number("masternodes") or 1
    size = request.number("size", 1)
    assert size is not None
    check_sizes(controls, size)
    version = ctx.entity("kubernetes_versions", "kubernetesversionid")
    if version["state"] != "Enabled":
        raise invalid_parameter(
            f"Kubernetes version ID: {version['id']} is in {version['state']} state"
        )
    if controls > 1 and semantic(version["semanticversion"]) < MIN_HA_VERSION:
        raise invalid_parameter(
            "HA support is available only for Kubernetes version 1.16.0 and above. Given "
            f"version ID: {version['id']} is {version['semanticversion']}"
        )
    offering = ctx.entity("service_offerings", "serviceofferingid")
    check_offering(offering, version)
    # CreateKubernetesClusterCmd.getNodeRootDiskSize refuses a size under its default before
    # the manager's own "Invalid value" check (<= 0) could see it
    root_gib = request.number("noderootdisksize", DEFAULT_ROOT_GIB)
    if root_gib is not None and root_gib < DEFAULT_ROOT_GIB:
        raise invalid_parameter(
            f"Provided node root disk size is lesser than default size of {DEFAULT_ROOT_GIB}GB"
        )
    project = ctx.project()
    network = _network(ctx, name, zone, project, controls)
    template = next(t for t in ctx.state.table("templates") if zone["id"] in t["_zones"])
    cluster = ctx.state.table("kubernetes_clusters").add(
        {
            "id": ctx.state.new_id(),
            "name": name,
            "description": request.get("description") or name,
            "zoneid": zone["id"],
            "zonename": zone["name"],
            "serviceofferingid": offering["id"],
            "serviceofferingname": offering["name"],
            "templateid": template["id"],
            "networkid": network["id"],
            "associatednetworkname": network["name"],
            "kubernetesversionid": version["id"],
            "kubernetesversionname": version["name"],
            **ctx.owner_fields(project),
            "keypair": request.get("keypair") or "",
            "masternodes": controls,
            "controlnodes": controls,
            "size": size,
            "state": "Created",
            "endpoint": "",
            "autoscalingenabled": False,
            "_vms": [],
            "_root_gib": root_gib,
            "_network_cleanup": not request.get("networkid"),
        }
    )
    if project is not None:  # a project's cluster shows its project, not its account
        cluster.pop("account")
    cluster["state"] = "Starting"  # execute() begins at once: StartRequested

    def run() -> tuple[str, Row]:
        provision(ctx, cluster)
        try:
            setup_rules(ctx, cluster)
        except ApiError:
            text = f"Failed to setup Kubernetes cluster : {name}, unable to setup network rules"
            raise runtime_error(text) from None
        cluster["state"] = "Running"
        return "kubernetescluster", render(ctx, cluster)

    # KubernetesClusterStartWorker.startKubernetesClusterOnCreate: whatever fails the job moves
    # the cluster Starting → Error (logTransitStateAndThrow, Event.CreateFailed)
    return ctx.submit(run, None, cluster, failed=lambda: cluster.update(state="Error"))


def _network(ctx: Ctx, name: str, zone: Row, project: Row | None, controls: int) -> Row:
    """The network named, checked; or a new isolated network for the cluster."""
    if ctx.request.get("networkid"):
        network = ctx.entity("networks", "networkid")
        check_network(ctx, network, controls)
        return network
    offering = next(
        o
        for o in ctx.state.table("network_offerings")
        if o["guestiptype"] == "Isolated" and not o["forvpc"]
    )
    owner = project["name"] if project else ctx.state.account.name
    cidr = ipaddress.ip_network("10.1.1.0/24")
    row = new_network(ctx, f"{name}-network", f"{owner}-network", offering, zone, project, cidr)
    return ctx.state.table("networks").add(row)


@command("listKubernetesClusters")
def list_kubernetes_clusters(ctx: Ctx) -> dict[str, Any]:
    _enabled(ctx)
    reconcile_alerts(ctx)
    wanted = ctx.request.get("state")
    rows = visible(ctx.state, ctx.request, ctx.state.table("kubernetes_clusters"))

    def keep(cluster: Row) -> bool:
        return not wanted or cluster["state"].lower() == wanted.lower()

    return list_body(ctx.request, "kubernetescluster", rows, keep, lambda row: render(ctx, row))


def _job(
    ctx: Ctx,
    cluster: Row,
    check: Callable[[], None],
    during: str,
    work: Callable[[], Outcome],
    alert: bool = True,
) -> Answer:
    """The command's job: the manager validates inside execute(), so a refusal fails the job
    and leaves the cluster as it was; otherwise the cluster shows ``during`` until it is done,
    or Alert if its worker fails: Scaling, Upgrading, Starting (a stopped cluster's) and
    Stopping go there on Event.OperationFailed; Destroying has no such transition (``alert``
    False) and stays."""
    try:
        check()
    except ApiError as error:
        refusal = error

        def refuse() -> Outcome:
            raise refusal

        return ctx.submit(refuse, ("KubernetesCluster", cluster))
    cluster["state"] = during

    def fail() -> None:
        cluster.update(state="Alert", _alert_since=ctx.state.clock())

    return ctx.submit(work, ("KubernetesCluster", cluster), failed=fail if alert else None)


def _answer(ctx: Ctx, cluster: Row, final: str) -> Outcome:
    cluster["state"] = final
    return "kubernetescluster", render(ctx, cluster)


@command("scaleKubernetesCluster")
def scale_kubernetes_cluster(ctx: Ctx) -> Answer:
    """validateKubernetesClusterScaleParameters, then KubernetesClusterScaleWorker."""
    cluster = _cluster(ctx)
    offering = ctx.optional("service_offerings", "serviceofferingid")
    size = ctx.request.number("size")
    before = cluster["state"]

    def work() -> Outcome:
        resize(ctx, cluster, offering, size)
        if size is not None:
            rescale_rules(ctx, cluster)
        return _answer(ctx, cluster, before)

    return _job(ctx, cluster, lambda: check_scale(ctx, cluster, offering, size), "Scaling", work)


@command("upgradeKubernetesCluster")
def upgrade_kubernetes_cluster(ctx: Ctx) -> Answer:
    """validateKubernetesClusterUpgradeParameters, then KubernetesClusterUpgradeWorker."""
    cluster = _cluster(ctx)
    version = ctx.entity("kubernetes_versions", "kubernetesversionid")

    def work() -> Outcome:
        cluster.update(kubernetesversionid=version["id"], kubernetesversionname=version["name"])
        return _answer(ctx, cluster, "Running")

    return _job(ctx, cluster, lambda: check_upgrade(ctx, cluster, version), "Upgrading", work)


@command("startKubernetesCluster")
def start_kubernetes_cluster(ctx: Ctx) -> Answer:
    """startKubernetesCluster: a running or starting cluster is left as it is."""
    cluster = _cluster(ctx)
    if cluster["state"] in ("Running", "Starting"):
        return ctx.submit(lambda: ("kubernetescluster", render(ctx, cluster)))

    def work() -> Outcome:
        set_power(ctx, cluster, running=True)
        return _answer(ctx, cluster, "Running")

    return _job(ctx, cluster, lambda: in_state(cluster, "Stopped"), "Starting", work)


@command("stopKubernetesCluster")
def stop_kubernetes_cluster(ctx: Ctx) -> Answer:
    """stopKubernetesCluster: a stopped or stopping cluster is left as it is."""
    cluster = _cluster(ctx)
    if cluster["state"] in ("Stopped", "Stopping"):
        return ctx.submit(lambda: None)

    def work() -> Outcome:
        set_power(ctx, cluster, running=False)
        cluster["state"] = "Stopped"
        return None

    return _job(
        ctx, cluster, lambda: in_state(cluster, "Running", "Alert", "Starting"), "Stopping", work
    )


@command("deleteKubernetesCluster")
def delete_kubernetes_cluster(ctx: Ctx) -> Answer:
    """KubernetesClusterDestroyWorker: Destroying, its VMs expunged, the network it made
    removed (networkCleanup), then the cluster is gone from the lists."""
    cluster = _cluster(ctx)

    def check() -> None:
        if cluster["state"] not in ("Running", "Stopped", "Alert", "Error", "Destroying"):
            raise ApiError(
                ACCOUNT_ERROR,
                f"Cannot perform delete operation on cluster : {cluster['name']} in state: "
                f"{cluster['state']}",
                CS_PERMISSION_DENIED,
            )

    def work() -> Outcome:
        resize(ctx, cluster, None, 0, controls=0)  # their forwards go with the nodes
        if not cluster["_network_cleanup"]:
            remove_rules(ctx, cluster)  # checkForRulesToDelete
        release_tier_address(ctx, cluster)
        if cluster["_network_cleanup"]:
            # destroyKubernetesClusterNetwork → NetworkOrchestrator.destroyNetwork, whose
            # cleanupNetworkResources releases every address of it to the zone's free pool
            for address in list(ctx.state.table("ips")):
                if address.get("associatednetworkid") == cluster["networkid"]:
                    release_address(ctx.state, address)
            ctx.state.table("networks").remove(cluster["networkid"])
        ctx.state.table("kubernetes_clusters").remove(cluster["id"])
        return None

    return _job(ctx, cluster, check, "Destroying", work, alert=False)


@command("getKubernetesClusterConfig")
def get_kubernetes_cluster_config(ctx: Ctx) -> dict[str, Any]:
    cluster = _cluster(ctx)
    config = cluster.get("_kubeconfig")
    if not config:
        text = (
            f"Setup is in progress for Kubernetes cluster : {cluster['name']}, config not "
            "available at this moment"
            if cluster["state"] == "Starting"
            else f"Config not found for Kubernetes cluster : {cluster['name']}"
        )
        raise runtime_error(text)
    return {"clusterconfig": {"id": cluster["id"], "name": cluster["name"], "configdata": config}}
