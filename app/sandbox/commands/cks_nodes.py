"""What a Kubernetes cluster is made of in the sandbox: its node VMs, network and kubeconfig,
as KubernetesClusterStartWorker, ScaleWorker and DestroyWorker make and remove them."""

from __future__ import annotations

import secrets

from app.sandbox.accounting import GIB, require
from app.sandbox.api import Ctx
from app.sandbox.commands.addresses import allocate_address, implement, release_address
from app.sandbox.commands.power import expunged
from app.sandbox.commands.vms import guest_nic, root_volume, vm_label, vm_row
from app.sandbox.errors import ApiError, runtime_error
from app.sandbox.listing import public
from app.sandbox.placement import leave_host, place
from app.sandbox.store import Row
from app.sandbox.vpc_addresses import join_tier

CKS_NODE = "cksnode"  # UserVmManager.CKS_NODE, the user_vm_type listVirtualMachines shows
DEFAULT_ROOT_GIB = 8  # CreateKubernetesClusterCmd: noderootdisksize defaults to 8 GB
CLUSTER_API_PORT = 6443  # KubernetesClusterActionWorker.CLUSTER_API_PORT


def cluster_vms(ctx: Ctx, cluster: Row) -> list[Row]:
    """The cluster's VMs (KubernetesClusterVmMapDao.listByClusterId): control nodes first."""
    table = ctx.state.table("vms")
    return [vm for vm_id in cluster["_vms"] if (vm := table.get(vm_id)) is not None]


def render(ctx: Ctx, cluster: Row) -> Row:
    """KubernetesClusterManagerImpl.createKubernetesClusterResponse."""
    vms = cluster_vms(ctx, cluster)
    count = cluster["controlnodes"] + cluster["size"]
    offering = ctx.state.table("service_offerings").rows[cluster["serviceofferingid"]]
    shown = {
        **public(cluster),
        "cpunumber": str(offering["cpunumber"] * count),
        "memory": str(offering["memory"] * count),
        "virtualmachines": [public(vm) for vm in vms],
    }
    network = ctx.state.table("networks").get(cluster["networkid"])
    source_nat = [
        ip
        for ip in ctx.state.table("ips")
        if network and ip.get("associatednetworkid") == network["id"] and ip.get("issourcenat")
    ]
    own = ctx.state.table("ips").get(cluster.get("_public_ip", ""))
    address = own or (source_nat[0] if len(source_nat) == 1 else None)
    if address is not None:
        shown.update(ipaddress=address["ipaddress"], ipaddressid=address["id"])
    return shown


def acquire_tier_address(ctx: Ctx, cluster: Row) -> None:
    """KubernetesClusterActionWorker.acquireVpcTierKubernetesPublicIp: a tier has no source NAT
    address of its own for the cluster's API and SSH rules, so networkService.allocateIP takes
    one for the project (counted against public_ip), associateIPToVpc and
    associateIPToGuestNetwork put it on the VPC and the tier, and the cluster keeps it
    (PUBLIC_IP_ID) until KubernetesClusterDestroyWorker.releaseVpcTierPublicIpIfNeeded."""
    network = ctx.state.table("networks").rows[cluster["networkid"]]
    if not network.get("vpcid") or cluster.get("_public_ip"):
        return
    project = ctx.state.table("projects").get(cluster.get("projectid", ""))
    require(ctx.state, project, {1: 1})
    address = allocate_address(ctx.state, ctx.state.table("vpcs").rows[network["vpcid"]])
    join_tier(address, network)
    cluster["_public_ip"] = address["id"]


def release_tier_address(ctx: Ctx, cluster: Row) -> None:
    address = ctx.state.table("ips").get(cluster.pop("_public_ip", ""))
    if address is not None:
        release_address(ctx.state, address)


def add_node(ctx: Ctx, cluster: Row, control: bool) -> Row:
    """One node VM, deployed and running, counted in its project's resources as any VM is
    (UserVmManagerImpl checks the limits: a node over them fails the worker)."""
    state = ctx.state
    zone = state.table("zones").rows[cluster["zoneid"]]
    offering = state.table("service_offerings").rows[cluster["serviceofferingid"]]
    template = state.table("templates").rows[cluster["templateid"]]
    project = state.table("projects").get(cluster.get("projectid", ""))
    network = state.table("networks").rows[cluster["networkid"]]
    root_gib = cluster["_root_gib"]
    needs = {0: 1, 8: offering["cpunumber"], 9: offering["memory"], 2: 1, 10: root_gib * GIB}
    require(state, project, needs)
    role = "control" if control else "node"
    name = f"{cluster['name']}-{role}-{secrets.token_hex(6)}"
    vm = vm_row(ctx, name, offering, template, zone, project)
    vm.update(displayname=name, vmtype=CKS_NODE, nic=[guest_nic(ctx, network, True)])
    if cluster.get("keypair"):
        vm["keypairs"] = cluster["keypair"]
    state.table("vms").add(vm)
    root_volume(ctx, vm, root_gib, project, zone)
    place(state, vm, vm_label(vm))
    implement(state, network)
    vm["state"] = "Running"
    cluster["_vms"].append(vm["id"])
    return vm


def provision(ctx: Ctx, cluster: Row) -> None:
    """KubernetesClusterStartWorker.startKubernetesClusterOnCreate: a tier's public address,
    then control nodes, then workers; what cannot be had leaves the cluster in Error
    (Event.CreateFailed)."""
    try:
        acquire_tier_address(ctx, cluster)
    except ApiError:
        cluster["state"] = "Error"
        text = (
            f"Failed to start Kubernetes cluster : {cluster['name']} as failed to acquire public IP"
        )
        raise runtime_error(text) from None
    for control in [True] * cluster["controlnodes"] + [False] * cluster["size"]:
        try:
            add_node(ctx, cluster, control)
        except ApiError:
            cluster["state"] = "Error"
            what = "the control VM" if control else "node VM"
            text = f"Provisioning {what} failed in the Kubernetes cluster : {cluster['name']}"
            raise runtime_error(text) from None
    cluster["endpoint"] = f"https://{render(ctx, cluster).get('ipaddress', '')}:{CLUSTER_API_PORT}/"
    cluster["_kubeconfig"] = kubeconfig(cluster)


def remove_node(ctx: Ctx, cluster: Row, vm: Row) -> None:
    leave_host(vm)
    expunged(ctx, vm)
    cluster["_vms"].remove(vm["id"])


def set_power(ctx: Ctx, cluster: Row, running: bool) -> None:
    """Start or stop every node VM (Start/StopWorker)."""
    for vm in cluster_vms(ctx, cluster):
        if running:
            place(ctx.state, vm, vm_label(vm))
        else:
            leave_host(vm)
        vm["state"] = "Running" if running else "Stopped"


def reconcile_alerts(ctx: Ctx) -> None:
    """KubernetesClusterStatusScanner's pass over the clusters in Alert, due ``cks_scan_seconds``
    after one failed: with all its nodes (as many as it should have) running it is Running
    again (reconcileAlertCluster), with all of them stopped Stopped (isClusterVMsInDesiredState)."""
    now = ctx.state.clock()
    for cluster in ctx.state.table("kubernetes_clusters"):
        since = cluster.get("_alert_since", now)
        if cluster["state"] != "Alert" or now - since < ctx.knobs.cks_scan_seconds:
            continue
        vms = cluster_vms(ctx, cluster)
        if len(vms) < cluster["controlnodes"] + cluster["size"]:
            continue
        for state in ("Running", "Stopped"):
            if all(vm["state"] == state for vm in vms):
                cluster["state"] = state


def kubeconfig(cluster: Row) -> str:
    """A kubeconfig of the shape CKS stores (kubeConfigData); its token is made up here and
    only getKubernetesClusterConfig ever returns it."""
    server = cluster["endpoint"].rstrip("/")
    name = cluster["name"]
    return (
        "apiVersion: v1\nkind: Config\nclusters:\n"
        f"- cluster:\n    server: {server}\n    insecure-skip-tls-verify: true\n"
        f"  name: {name}\ncontexts:\n- context:\n    cluster: {name}\n"
        f"    user: kubernetes-admin\n  name: kubernetes-admin@{name}\n"
        f"current-context: kubernetes-admin@{name}\nusers:\n- name: kubernetes-admin\n"
        f"  user:\n    token: {secrets.token_hex(24)}\n"
    )
