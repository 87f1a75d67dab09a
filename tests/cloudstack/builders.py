"""Put managed objects into a sandbox project through stackgate's client, tagged as apply will."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.cloudstack.client import CloudStackClient
from app.cloudstack.inventory import KUBERNETES_TAG, SSHKEY_TAG, TAG_KEY, TAG_MEMBERS, TAG_REPO

PUBLIC_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHPqUWwZy3p9ghfWpQ6KHa2YpGmdVvFPLmexyJlQdXsM ops"


@dataclass
class Builder:
    client: CloudStackClient
    repo: str
    project: str

    def __post_init__(self) -> None:
        self.project_id = self.client.list("listProjects", name=self.project)[0]["id"]
        self.zone_id = self.client.list("listZones", name="zone-a")[0]["id"]

    def tag(self, kind: str, resource_type: str, object_id: str, name: str, **extra: str) -> None:
        pairs = {TAG_REPO: self.repo, TAG_KEY: f"{kind}/{name}", **extra}
        tags = [{"key": key, "value": value} for key, value in pairs.items()]
        self.client.run("createTags", resourcetype=resource_type, resourceids=object_id, tags=tags)

    def catalog_id(self, command: str, name: str, **params: Any) -> str:
        return str(self.client.list(command, name=name, **params)[0]["id"])

    def network(self, name: str, cidr_prefix: str = "10.1.0") -> str:
        offering = self.catalog_id(
            "listNetworkOfferings", "DefaultIsolatedNetworkOfferingWithSourceNatService"
        )
        created = self.client.request(
            "createNetwork",
            name=name,
            displaytext=name,
            networkofferingid=offering,
            zoneid=self.zone_id,
            projectid=self.project_id,
            gateway=f"{cidr_prefix}.1",
            netmask="255.255.255.0",
        )
        network_id = str(created["network"]["id"])
        self.tag("network", "Network", network_id, name)
        return network_id

    def instance(self, name: str, network_id: str, offering: str = "small", **params: Any) -> str:
        vm = self.client.run(
            "deployVirtualMachine",
            name=name,
            zoneid=self.zone_id,
            projectid=self.project_id,
            serviceofferingid=self.catalog_id("listServiceOfferings", offering),
            templateid=self.catalog_id("listTemplates", "debian-12", templatefilter="executable"),
            networkids=network_id,
            **params,
        )
        vm_id = str(vm["virtualmachine"]["id"])
        self.tag("instance", "UserVm", vm_id, name)
        root = self.client.list(
            "listVolumes", virtualmachineid=vm_id, type="ROOT", projectid=self.project_id
        )
        self.tag("root_disk", "Volume", str(root[0]["id"]), name)
        return vm_id

    def volume(self, name: str, size_gib: int, vm_id: str | None = None) -> str:
        volume = self.client.run(
            "createVolume",
            name=name,
            zoneid=self.zone_id,
            projectid=self.project_id,
            size=size_gib,
            diskofferingid=self.catalog_id("listDiskOfferings", "standard"),
        )
        if vm_id:
            self.client.run("attachVolume", id=volume["id"], virtualmachineid=vm_id)
        self.tag("volume", "Volume", str(volume["id"]), name)
        return str(volume["id"])

    def address(self, name: str, network_id: str) -> str:
        address = self.client.run(
            "associateIpAddress", networkid=network_id, projectid=self.project_id
        )
        self.tag("public_ip", "PublicIpAddress", str(address["id"]), name)
        return str(address["id"])

    def firewall(self, name: str, ip_id: str, port: int) -> str:
        rule = self.client.run(
            "createFirewallRule",
            ipaddressid=ip_id,
            protocol="tcp",
            startport=port,
            endport=port,
            cidrlist="0.0.0.0/0",
        )
        self.tag("firewall", "FirewallRule", str(rule["id"]), name)
        return str(rule["id"])

    def egress(self, name: str, network_id: str) -> str:
        rule = self.client.run(
            "createEgressFirewallRule",
            networkid=network_id,
            protocol="tcp",
            startport=443,
            endport=443,
            destcidrlist="0.0.0.0/0",
        )
        self.tag("egress", "FirewallRule", str(rule["id"]), name)
        return str(rule["id"])

    def port_forward(self, name: str, ip_id: str, vm_id: str) -> str:
        rule = self.client.run(
            "createPortForwardingRule",
            ipaddressid=ip_id,
            protocol="tcp",
            publicport=22,
            privateport=22,
            virtualmachineid=vm_id,
            openfirewall="false",
        )
        self.tag("port_forward", "PortForwardingRule", str(rule["id"]), name)
        return str(rule["id"])

    def load_balancer(self, name: str, ip_id: str, members: dict[str, str]) -> str:
        rule = self.client.run(
            "createLoadBalancerRule",
            name=name,
            publicipid=ip_id,
            algorithm="roundrobin",
            publicport=443,
            privateport=8443,
            openfirewall="false",
        )
        self.client.run(
            "assignToLoadBalancerRule", id=rule["id"], virtualmachineids=",".join(members.values())
        )
        self.tag(
            "load_balancer",
            "LoadBalancer",
            str(rule["id"]),
            name,
            **{TAG_MEMBERS: ",".join(sorted(members))},
        )
        return str(rule["id"])

    def ssh_key(self, name: str) -> None:
        self.client.request(
            "registerSSHKeyPair", name=name, publickey=PUBLIC_KEY, projectid=self.project_id
        )
        self.client.run(
            "createTags",
            resourcetype="Project",
            resourceids=self.project_id,
            tags=[{"key": f"{SSHKEY_TAG}{name}", "value": self.repo}],
        )

    def cluster(
        self, name: str, network_id: str, recorded: bool = True, **params: Any
    ) -> dict[str, Any]:
        """A Kubernetes cluster (it takes no tags: the project records it unless ``recorded``
        is off, as a cluster made by hand)."""
        options: dict[str, Any] = {"controlnodes": 1, "size": 1, "offering": "medium"}
        options.update(params)
        offering = self.catalog_id("listServiceOfferings", options.pop("offering"))
        versions = self.client.list("listKubernetesSupportedVersions")
        version = next(v["id"] for v in versions if v["name"] == options.pop("version", "v1.27.3"))
        cluster = self.client.run(
            "createKubernetesCluster",
            name=name,
            zoneid=self.zone_id,
            projectid=self.project_id,
            kubernetesversionid=version,
            serviceofferingid=offering,
            networkid=network_id,
            **options,
        )["kubernetescluster"]
        if recorded:
            self.client.run(
                "createTags",
                resourcetype="Project",
                resourceids=self.project_id,
                tags=[{"key": f"{KUBERNETES_TAG}{name}", "value": self.repo}],
            )
        return dict(cluster)
