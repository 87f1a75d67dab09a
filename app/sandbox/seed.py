"""Build the sandbox's starting cloud from a seed file: zones, catalog, projects and limits."""

from __future__ import annotations

import ipaddress
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field
from ruamel.yaml import YAML

from app.sandbox.catalog_rows import os_type, version_row
from app.sandbox.sg_rows import add_default_group, add_shared_network
from app.sandbox.store import Account, CloudState, Row
from app.sandbox.tenancy import ROOT, account_row, domain_row, member, user_row
from app.sandbox.vpc_rows import default_acl_lists, vpc_offering_row

DEFAULT_SEED = Path(__file__).with_name("seed.yaml")

# max.project.* configuration defaults, by resource type number (Resource.java)
PROJECT_LIMIT_DEFAULTS = {
    0: 20,
    1: 20,
    2: 20,
    3: 20,
    4: 20,
    6: 20,
    7: 20,
    8: 40,
    9: 40960,
    10: 200,
    11: 400,
}
# ... and the global setting each is read from (Config.java), as listConfigurations names them
PROJECT_LIMIT_SETTINGS = {
    0: "max.project.user.vms",
    1: "max.project.public.ips",
    2: "max.project.volumes",
    3: "max.project.snapshots",
    4: "max.project.templates",
    6: "max.project.networks",
    7: "max.project.vpcs",
    8: "max.project.cpus",
    9: "max.project.memory",
    10: "max.project.primary.storage",
    11: "max.project.secondary.storage",
}


class _Seed(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SharedNetworkSeed(_Seed):
    name: str
    cidr: str
    offering: str  # a Shared network offering with the SecurityGroup service


class ZoneSeed(_Seed):
    public_range: str = "203.0.113.0/24"
    hosts: int = 3  # where VMs run: host anti-affinity spreads a group over them
    # an advanced zone with security groups (DataCenterVO.securityGroupEnabled): VMs go on
    # this shared network and their groups filter their traffic
    security_groups: SharedNetworkSeed | None = None


class ServiceOfferingSeed(_Seed):
    cpu: int
    memory: int  # MiB
    cpu_speed: int = 2000
    dynamic_scaling: bool = False


class DiskOfferingSeed(_Seed):
    custom: bool = False
    size_gib: int = 0
    storage_type: str = "shared"
    tags: str | None = None


class TemplateSeed(_Seed):
    os: str
    size_gib: int
    zones: list[str]


class KubernetesVersionSeed(_Seed):
    """A CKS version as addKubernetesSupportedVersion registers it (its binaries ISO ready)."""

    semantic: str  # semanticversion, e.g. 1.28.4
    min_cpu: int = 2  # KubernetesClusterService.MIN_KUBERNETES_CLUSTER_NODE_CPU
    min_memory: int = 2048  # MiB, MIN_KUBERNETES_CLUSTER_NODE_RAM_SIZE
    enabled: bool = True


class NetworkOfferingSeed(_Seed):
    guest_ip_type: str = "Isolated"
    services: list[str] = Field(default_factory=list)
    for_vpc: bool = False  # a VPC tier offering (NetworkOfferingVO.forVpc)


class VpcOfferingSeed(_Seed):
    services: list[str]


class ProjectSeed(_Seed):
    limits: dict[int, int] = Field(default_factory=dict)  # resource type → max (-1 unlimited)


class DomainSeed(_Seed):
    limits: dict[int, int] = Field(default_factory=dict)  # resource type → max; unset: -1


class AccountSeed(_Seed):
    domain: str  # path, ROOT/apps/retail
    type: str = "User"
    users: list[str] = Field(default_factory=list)


class SeedFile(_Seed):
    zones: dict[str, ZoneSeed]
    service_offerings: dict[str, ServiceOfferingSeed]
    disk_offerings: dict[str, DiskOfferingSeed]
    templates: dict[str, TemplateSeed]
    network_offerings: dict[str, NetworkOfferingSeed]
    vpc_offerings: dict[str, VpcOfferingSeed] = Field(default_factory=dict)
    domains: dict[str, DomainSeed] = Field(default_factory=dict)  # by path, parents first
    accounts: dict[str, AccountSeed] = Field(default_factory=dict)
    projects: dict[str, ProjectSeed] = Field(default_factory=dict)
    # none: the Kubernetes Service is off (cloud.kubernetes.service.enabled=false)
    kubernetes_versions: dict[str, KubernetesVersionSeed] = Field(default_factory=dict)


def read_seed(path: Path = DEFAULT_SEED) -> SeedFile:
    return SeedFile.model_validate(YAML(typ="safe").load(path))


def seeded_state(
    seed: SeedFile, api_key: str, secret_key: str, job_seconds: float = 0.0
) -> CloudState:
    account = Account(CloudState.new_id(), CloudState.new_id(), CloudState.new_id())
    state = CloudState(account, api_key, secret_key, job_seconds=job_seconds)
    zones = {name: _zone(state, name, zone) for name, zone in seed.zones.items()}
    for name, offering in seed.service_offerings.items():
        state.table("service_offerings").add(_service_offering(state, name, offering))
    for name, disk in seed.disk_offerings.items():
        state.table("disk_offerings").add(_disk_offering(state, name, disk))
    for name, template in seed.templates.items():
        state.table("templates").add(
            _template(state, name, template, [zones[z] for z in template.zones])
        )
    for name, version in seed.kubernetes_versions.items():
        row = version_row(state, name, version.semantic, version.min_cpu, version.min_memory)
        state.table("kubernetes_versions").add(
            {**row, "state": "Enabled" if version.enabled else "Disabled"}
        )
    for name, network_offering in seed.network_offerings.items():
        state.table("network_offerings").add(_network_offering(state, name, network_offering))
    for name, vpc_offering in seed.vpc_offerings.items():
        state.table("vpc_offerings").add(vpc_offering_row(state, name, vpc_offering.services))
    offerings = {row["name"]: row for row in state.table("network_offerings")}
    for name, zone_seed in seed.zones.items():
        if zone_seed.security_groups:
            shared = zone_seed.security_groups
            add_shared_network(
                state, zones[name], offerings[shared.offering], shared.name, shared.cidr
            )
    default_acl_lists(state)
    _tenancy(state, seed)
    add_default_group(state, None)
    for name, project in seed.projects.items():
        row = state.table("projects").add(project_row(state, name))
        add_default_group(state, row)
        for kind, default in PROJECT_LIMIT_DEFAULTS.items():
            state.limits[(row["id"], kind)] = project.limits.get(kind, default)
    return state


def _tenancy(state: CloudState, seed: SeedFile) -> None:
    """The domain tree under ROOT with its limits, the caller's account, the seeded accounts."""
    domains = {ROOT: domain_row(state, ROOT, None, state.account.domain_id)}
    for path, domain in seed.domains.items():
        parent = domains[path.rsplit("/", 1)[0]]
        domains[path] = domain_row(state, path, parent, state.new_id())
        for kind, maximum in domain.limits.items():
            state.limits[(domains[path]["id"], kind)] = maximum
    caller = account_row(
        state, state.account.name, domains[ROOT], "Admin", state.account.account_id
    )
    user_row(state, "admin", caller, state.account.user_id)
    for name, account in seed.accounts.items():
        row = account_row(state, name, domains[account.domain], account.type, state.new_id())
        for user in account.users:
            user_row(state, user, row, state.new_id())


def _zone(state: CloudState, name: str, seed: ZoneSeed) -> Row:
    row: Row = {
        "id": state.new_id(),
        "name": name,
        "networktype": "Advanced",
        "allocationstate": "Enabled",
        "securitygroupsenabled": seed.security_groups is not None,
        "localstorageenabled": False,
        "dns1": "8.8.8.8",
        "dns2": "8.8.4.4",
        "internaldns1": "10.0.0.2",
        "guestcidraddress": "10.0.0.0/8",
        "tags": [],
        "hasannotations": False,
        "type": "Core",
        "_number": state.next_number("zones"),
    }
    state.table("zones").add(row)
    for number in range(1, seed.hosts + 1):
        host = {"id": state.new_id(), "name": f"{name}-host-{number}", "zoneid": row["id"]}
        state.table("hosts").add(host)
    hosts = ipaddress.ip_network(seed.public_range).hosts()
    state.public_pool += [f"{row['id']}/{address}" for address in hosts]
    return row


def _service_offering(state: CloudState, name: str, seed: ServiceOfferingSeed) -> Row:
    return {
        "id": state.new_id(),
        "name": name,
        "displaytext": f"{name} ({seed.cpu} vCPU, {seed.memory} MB)",
        "cpunumber": seed.cpu,
        "cpuspeed": seed.cpu_speed,
        "memory": seed.memory,
        "storagetype": "shared",
        "offerha": False,
        "limitcpuuse": False,
        "isvolatile": False,
        "issystem": False,
        "defaultuse": False,
        "iscustomized": False,
        "dynamicscalingenabled": seed.dynamic_scaling,
        "state": "Active",
        "created": state.timestamp(),
        "provisioningtype": "thin",
        "cacheMode": "none",
        "hasannotations": False,
    }


def _disk_offering(state: CloudState, name: str, seed: DiskOfferingSeed) -> Row:
    row: Row = {
        "id": state.new_id(),
        "name": name,
        "displaytext": name,
        "disksize": seed.size_gib,
        "iscustomized": seed.custom,
        "storagetype": seed.storage_type,
        "provisioningtype": "thin",
        "state": "Active",
        "created": state.timestamp(),
        "displayoffering": True,
        "cacheMode": "none",
        "hasannotations": False,
    }
    if seed.tags:
        row["tags"] = seed.tags
    return row


def _template(state: CloudState, name: str, seed: TemplateSeed, zones: list[Row]) -> Row:
    """One template in several zones; listTemplates shows a row per zone, with the same id."""
    return {
        "id": state.new_id(),
        "name": name,
        "displaytext": seed.os,
        "ispublic": True,
        "isready": True,
        "isfeatured": True,
        "crossZones": False,
        "ostypeid": os_type(state, seed.os)["id"],
        "ostypename": seed.os,
        "size": seed.size_gib * 1024**3,
        "templatetype": "USER",
        "hypervisor": "Simulator",
        "format": "QCOW2",
        "passwordenabled": False,
        "status": "Download Complete",
        "account": "system",
        "domain": "ROOT",
        "domainid": state.account.domain_id,
        "created": state.timestamp(),
        "isextractable": False,
        "isdynamicallyscalable": False,
        "sshkeyenabled": True,
        "requireshvm": True,
        "directdownload": False,
        "deployasis": False,
        "bootable": True,
        "tags": [],
        "_root_gib": seed.size_gib,
        "_zones": {zone["id"]: zone["name"] for zone in zones},
    }


def _network_offering(state: CloudState, name: str, seed: NetworkOfferingSeed) -> Row:
    return {
        "id": state.new_id(),
        "name": name,
        "displaytext": name,
        "guestiptype": seed.guest_ip_type,
        "traffictype": "Guest",
        "state": "Enabled",
        "availability": "Optional",
        "isdefault": True,
        "specifyvlan": False,
        "specifyipranges": seed.guest_ip_type == "Shared",
        "conservemode": not seed.for_vpc,
        "forvpc": seed.for_vpc,
        "ispersistent": False,
        "egressdefaultpolicy": True,
        "networkrate": 200,
        "created": state.timestamp(),
        "hasannotations": False,
        "service": [{"name": service} for service in seed.services],
        "_number": state.next_number("network_offerings"),
    }


def project_row(
    state: CloudState,
    name: str,
    displaytext: str | None = None,
    owner: Row | None = None,
    user: Row | None = None,
) -> Row:
    """A project owned by ``owner`` (the caller's account by default), in the owner's domain,
    with its project account (ProjectManagerImpl.createProject: PrjAcct-<name>-<domain id>)."""
    account = owner or state.table("accounts").get(state.account.account_id)
    assert account is not None
    domain = state.table("domains").get(account["domainid"])
    assert domain is not None
    number = state.next_number("accounts") + 1  # the project account's id, as tenancy counts
    return {
        "id": state.new_id(),
        "name": name,
        "displaytext": displaytext or name,
        "domainid": domain["id"],
        "domain": domain["name"],
        "owner": [{"account": account["name"]}],
        "projectaccountname": f"PrjAcct-{name}-{domain['_number']}",
        "state": "Active",
        "created": state.timestamp(),
        "tags": [],
        "_account_id": state.new_id(),
        "_account_number": number,
        "_members": [member(account, "Admin", user)],
    }
