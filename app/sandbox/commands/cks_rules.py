"""The network rules CKS makes for a cluster on the address it reaches the cluster by, as
KubernetesClusterResourceModifierActionWorker makes them: on an isolated network's source NAT
address (setupKubernetesClusterIsolatedNetworkRules) an ingress firewall rule for the node SSH
ports 2222.. and one for the API port 6443 (provisionFirewallRules, from 0.0.0.0/0), a port
forward 2222+i → 22 to each node (provisionSshPortForwardingRules) and the "api-lb" load
balancer 6443 → 6443 over the control nodes (provisionLoadBalancerRule); on a VPC tier's own
address (setupKubernetesClusterVpcTierRules) the API by load balancer where the tier's offering
conserves addresses, else by a port forward to the first control node, and the SSH forwards.
A shared network gets none (isDirectAccess). CKS tags none of them: they are untagged rows of
the project, which stackgate recognises (cks_reading.CksRules)."""

from __future__ import annotations

from app.sandbox.api import Ctx
from app.sandbox.commands.balancers import balancer_row
from app.sandbox.commands.cks_nodes import CLUSTER_API_PORT, cluster_vms
from app.sandbox.commands.rules import close_related, firewall_row, forward_row, rules_on_ip
from app.sandbox.store import Row

SSH_START = 2222  # KubernetesClusterActionWorker.CLUSTER_NODES_DEFAULT_START_SSH_PORT
SSH_PORT = 22  # DEFAULT_SSH_PORT
API_LB = ("api-lb", "LB rule for API access")  # provisionLoadBalancerRule's name, description


def cluster_address(ctx: Ctx, cluster: Row) -> Row | None:
    """getNetworkSourceNatIp on an isolated network, getVpcTierKubernetesPublicIp on a tier."""
    network = ctx.state.table("networks").get(cluster["networkid"])
    if network is None or network["type"] == "Shared":
        return None
    ips = ctx.state.table("ips")
    if network.get("vpcid"):
        return ips.get(cluster.get("_public_ip", ""))
    return next(
        (ip for ip in ips if ip.get("associatednetworkid") == network["id"] and ip["issourcenat"]),
        None,
    )


def setup_rules(ctx: Ctx, cluster: Row) -> None:
    """KubernetesClusterStartWorker.setupKubernetesClusterNetworkRules, once every node runs."""
    address = cluster_address(ctx, cluster)
    if address is None:
        return
    network = ctx.state.table("networks").rows[cluster["networkid"]]
    vms = cluster_vms(ctx, cluster)
    if network.get("vpcid"):
        offering = ctx.state.table("network_offerings").rows[network["networkofferingid"]]
        if offering["conservemode"]:
            _api_balancer(ctx, address, network, vms[: cluster["controlnodes"]])
        else:
            api = ("tcp", (CLUSTER_API_PORT,) * 2, (CLUSTER_API_PORT,) * 2)
            _add(ctx, "port_forwards", forward_row(ctx, address, network, vms[0], api))
    else:
        _ssh_firewall(ctx, address, len(vms))
        api_ports = (CLUSTER_API_PORT, CLUSTER_API_PORT)
        _add(ctx, "firewall", firewall_row(ctx, address, "tcp", api_ports, "0.0.0.0/0"))
        _api_balancer(ctx, address, network, vms[: cluster["controlnodes"]])
    _ssh_forwards(ctx, address, network, vms)


def rescale_rules(ctx: Ctx, cluster: Row) -> None:
    """KubernetesClusterScaleWorker.scaleKubernetesClusterNetworkRules: the SSH firewall rule
    (isolated network) and every SSH forward removed, then made again for the nodes now."""
    address = cluster_address(ctx, cluster)
    if address is None:
        return
    network = ctx.state.table("networks").rows[cluster["networkid"]]
    vms = cluster_vms(ctx, cluster)
    for kind, rule in rules_on_ip(ctx, address["id"]):
        ssh_firewall = kind == "firewall" and rule.get("startport") == SSH_START
        if ssh_firewall or (kind == "port_forwards" and _ssh_forward(rule)):
            _drop(ctx, kind, rule)
    if not network.get("vpcid"):
        _ssh_firewall(ctx, address, len(vms))
    _ssh_forwards(ctx, address, network, vms)


def remove_rules(ctx: Ctx, cluster: Row) -> None:
    """KubernetesClusterDestroyWorker.deleteKubernetesClusterNetworkRules, for a network the
    cluster leaves behind: the API load balancer and firewall rules, the SSH firewall rule
    (the nodes' forwards went with them)."""
    address = cluster_address(ctx, cluster)
    if address is None:
        return
    for kind, rule in rules_on_ip(ctx, address["id"]):
        api = kind == "load_balancers" and rule["publicport"] == str(CLUSTER_API_PORT)
        firewall = kind == "firewall" and rule.get("startport") in (CLUSTER_API_PORT, SSH_START)
        if api or firewall:
            _drop(ctx, kind, rule)


def _ssh_firewall(ctx: Ctx, address: Row, count: int) -> None:
    ports = (SSH_START, SSH_START + count - 1)  # addFirewallRulesForNodes
    _add(ctx, "firewall", firewall_row(ctx, address, "tcp", ports, "0.0.0.0/0"))


def _ssh_forwards(ctx: Ctx, address: Row, network: Row, vms: list[Row]) -> None:
    for number, vm in enumerate(vms):
        ports = ("tcp", (SSH_START + number,) * 2, (SSH_PORT, SSH_PORT))
        _add(ctx, "port_forwards", forward_row(ctx, address, network, vm, ports))


def _api_balancer(ctx: Ctx, address: Row, network: Row, controls: list[Row]) -> None:
    ports = ("tcp", CLUSTER_API_PORT, CLUSTER_API_PORT)
    balancer = balancer_row(ctx, address, network, API_LB, ports)
    balancer["_members"] = [vm["id"] for vm in controls]
    _add(ctx, "load_balancers", balancer)


def _add(ctx: Ctx, kind: str, row: Row) -> None:
    row["state"] = "Active"  # applied within the worker's job
    ctx.state.table(kind).add(row)


def _ssh_forward(rule: Row) -> bool:
    """removePortForwardingRules' range: the forwards from 2222 up, to the nodes' SSH port."""
    return rule["privateport"] == str(SSH_PORT) and int(rule["publicport"]) >= SSH_START


def _drop(ctx: Ctx, kind: str, rule: Row) -> None:
    ctx.state.table(kind).remove(rule["id"])
    close_related(ctx, rule)
