"""Kubernetes clusters (CloudStack's Kubernetes Service) described in the repo format's terms.

listKubernetesClusters is read once per project like every kind, before the instances. A
cluster takes no tags (ResourceTag.ResourceObjectType has no KubernetesCluster), so its project
records the clusters stackgate made in ``stackgate.kubernetes.<name>`` tags (value: the repo),
and the protected ones in ``stackgate.protected.kubernetes.<name>`` ("true"); the row is given
that repo, the key ``kubernetes_cluster/<name>`` and the protection before it is filed, as a
VPC's ACL lists are, and a cluster made by hand stays untagged: adoptable, never deleted.

A cluster's nodes are user VMs of its project, which listVirtualMachines lists beside the
others. CKS owns them (it scales, upgrades, stops and deletes them), so they are never
instances to manage, drift or adopt: the instance list leaves out every VM a cluster names
(``virtualmachines``, or ``virtualmachineids`` before CloudStack 4.16) and every VM whose
``vmtype`` is ``cksnode`` (UserVmManager.CKS_NODE), whichever the cloud's version shows.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

Row = Mapping[str, Any]
REPO_TAG, KEY_TAG = "stackgate.repo", "stackgate.key"  # as inventory.TAG_REPO, TAG_KEY
KUBERNETES_TAG = "stackgate.kubernetes."  # as inventory.KUBERNETES_TAG
# + a name: "true" marks that cluster protected (inventory.PROTECTED_RECORD + "kubernetes.")
PROTECTED_TAG, PROTECTED = "stackgate.protected.kubernetes.", "stackgate.protected"
CKS_NODE = "cksnode"  # UserVmManager.CKS_NODE, a node VM's vmtype in UserVmResponse
KIND = "kubernetes_cluster"


# KubernetesClusterActionWorker: CLUSTER_API_PORT, CLUSTER_NODES_DEFAULT_START_SSH_PORT,
# DEFAULT_SSH_PORT; provisionLoadBalancerRule names its rule "api-lb"
API_PORT, SSH_START, SSH_PORT, API_LB = 6443, 2222, 22, "api-lb"


def node_ids(row: Row) -> list[str]:
    """The ids of a cluster's node VMs, control nodes first, as its response lists them."""
    listed = [str(vm["id"]) for vm in row.get("virtualmachines") or [] if vm.get("id")]
    return listed or [str(vm_id) for vm_id in row.get("virtualmachineids") or []]


def is_node(row: Row, nodes: set[str]) -> bool:
    """Whether a listVirtualMachines row is a cluster's node."""
    return row.get("vmtype") == CKS_NODE or str(row.get("id")) in nodes


@dataclass
class CksRules:
    """The rows CKS makes for a cluster's network (KubernetesClusterResourceModifierAction
    Worker), told apart without tags, which CKS sets on none: on the address the cluster
    lists (``ipaddressid``: its isolated network's source NAT, or on a VPC tier the address
    acquireVpcTierKubernetesPublicIp took, itself CKS's), the ingress firewall rules for the
    API port and the SSH ports from 2222 (provisionFirewallRules, from 0.0.0.0/0), the
    forwards to its nodes' SSH port from 2222 and to the API port
    (provisionPublicIpPortForwardingRule) and the "api-lb" balancer of the API port."""

    addresses: dict[str, str] = field(default_factory=dict)  # address id → cluster name
    nodes: dict[str, str] = field(default_factory=dict)  # node VM id → cluster name

    def learn(self, clusters: Iterable[Row]) -> None:
        for row in clusters:
            if row.get("ipaddressid"):
                self.addresses[str(row["ipaddressid"])] = str(row["name"])
            self.nodes.update(dict.fromkeys(node_ids(row), str(row["name"])))

    def made_by(self, kind: str, row: Row) -> str | None:
        """The name of the cluster CKS made this untagged row for, if it did."""
        if any(tag.get("key") in (REPO_TAG, KEY_TAG) for tag in row.get("tags") or []):
            return None
        if kind == "public_ip":  # a tier's; an isolated network's source NAT is the network's
            cluster = self.addresses.get(str(row["id"]))
            return cluster if row.get("vpcid") and not row.get("issourcenat") else None
        cluster = self.addresses.get(str(row.get("ipaddressid") or row.get("publicipid")))
        return cluster if cluster and self._made(kind, row, cluster) else None

    def _made(self, kind: str, row: Row, cluster: str) -> bool:
        if kind == "firewall":
            ports = (_port(row.get("startport")), _port(row.get("endport")))
            return (
                str(row.get("protocol")).lower() == "tcp"
                and str(row.get("cidrlist")) == "0.0.0.0/0"
                and (ports == (API_PORT, API_PORT) or ports[0] == SSH_START)
            )
        public, private = _port(row.get("publicport")), _port(row.get("privateport"))
        if kind == "port_forward":
            ssh = private == SSH_PORT and public >= SSH_START
            api = public == private == API_PORT
            return self.nodes.get(str(row.get("virtualmachineid"))) == cluster and (ssh or api)
        return kind == "load_balancer" and row.get("name") == API_LB and public == API_PORT


def _port(value: Any) -> int:
    return int(value) if str(value).isdigit() else -1


@dataclass
class CksReading:
    """What the inventory's reading adds for Kubernetes clusters."""

    project_tags: dict[str, Mapping[str, str]] = field(default_factory=dict)  # by project id
    root_gib: dict[str, int] = field(default_factory=dict)  # VM id → its ROOT volume's GiB
    cks_nodes: set[str] = field(default_factory=set)
    tier_vpcs: dict[str, str] = field(default_factory=dict)  # as VpcReading fills it
    recorded: set[tuple[str, str]] = field(default_factory=set)  # (project id, name) filed
    cks_rules: CksRules = field(default_factory=CksRules)

    def kubernetes_cluster(self, row: Row) -> dict[str, Any]:
        nodes = node_ids(row)
        self.cks_nodes.update(nodes)
        controls = int(row.get("controlnodes") or row.get("masternodes") or 1)
        size = int(row.get("size") or 0)
        # the response's cpunumber and memory are the whole cluster's, the offering's times
        # (KubernetesClusterManagerImpl.createKubernetesClusterResponse)
        count = controls + size
        roots = sorted({self.root_gib[vm] for vm in nodes if vm in self.root_gib})
        text = str(row.get("description") or "")
        vpc = self.tier_vpcs.get(str(row.get("networkid")))
        return {
            "version": row.get("kubernetesversionname"),
            "control_nodes": controls,
            "size": size,
            "offering": row.get("serviceofferingname"),
            "network": row.get("associatednetworkname"),
            "ssh_key": row.get("keypair") or None,
            # CKS does not return noderootdisksize; every node's ROOT volume is made that size
            "node_root_disk_gib": roots[-1] if roots else None,
            "zone": row.get("zonename"),
            "description": "" if text == row.get("name") else text,
            # Running or Stopped, else as CKS shows it (Starting, Scaling, Error, ...)
            "state": row.get("state"),
            "cpu": int(row.get("cpunumber") or 0) // count,
            "memory_mib": int(row.get("memory") or 0) // count,
            # the node VMs it holds, each counted in the project (fewer than its counts for
            # a create that failed in Error, or a scale cut short in Alert)
            "nodes_held": len(nodes),
            # on a VPC tier, which its network's name alone does not say: such a cluster holds
            # a public address of its own (acquireVpcTierKubernetesPublicIp)
            **({"vpc": vpc} if vpc else {}),
        }

    def cluster_filed(self, row: Row) -> Row:
        """The row with the ownership its project records, as if it carried tags. CKS refuses
        no second cluster of a name and lists them by id: the first of a recorded name is the
        one stackgate made (it never makes a twin, and adopts one already there), a later
        twin is someone's own, untagged, never deleted as a duplicate of the repo's."""
        project_id = str(row.get("projectid"))
        project = self.project_tags.get(project_id, {})
        owner = project.get(KUBERNETES_TAG + str(row["name"]))
        if not owner or (project_id, str(row["name"])) in self.recorded:
            return {**row, "tags": []}
        self.recorded.add((project_id, str(row["name"])))
        key = f"{KIND}/{row['name']}"
        tags = [{"key": REPO_TAG, "value": owner}, {"key": KEY_TAG, "value": key}]
        if project.get(PROTECTED_TAG + str(row["name"])) == "true":
            tags.append({"key": PROTECTED, "value": "true"})
        return {**row, "tags": tags}

    def not_cks(self, kind: str, row: Row) -> bool:
        """Neither a cluster's node nor a rule (or tier address) CKS made for it: CKS's own,
        never adopted, imported or drift."""
        node = kind == "instance" and is_node(row, self.cks_nodes)
        return not node and self.cks_rules.made_by(kind, row) is None
