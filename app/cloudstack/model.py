"""CloudStack as stackgate sees it, in neutral values: the catalog, live objects, quotas.

These types cross into ``plan`` and ``policy``; they carry no client and do no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

Unit = Literal["count", "MiB", "GiB"]


@dataclass(frozen=True)
class Zone:
    id: str
    name: str
    security_groups: bool = False  # securitygroupsenabled: VMs filtered by security groups


@dataclass(frozen=True)
class ServiceOffering:
    id: str
    name: str
    cpu: int
    memory_mib: int
    dynamic_scaling: bool


@dataclass(frozen=True)
class DiskOffering:
    id: str
    name: str
    size_gib: int  # 0 for custom-size offerings
    custom: bool


@dataclass(frozen=True)
class Template:
    id: str
    name: str
    zone_id: str
    size_gib: int


@dataclass(frozen=True)
class NetworkOffering:
    id: str
    name: str
    guest_ip_type: str
    services: tuple[str, ...]
    for_vpc: bool = False  # for VPC tiers only (forvpc)


@dataclass(frozen=True)
class VpcOffering:
    id: str
    name: str


@dataclass(frozen=True)
class KubernetesVersion:
    """A CKS version as listKubernetesSupportedVersions lists it: what a cluster's nodes need."""

    id: str
    name: str
    semantic_version: str  # e.g. 1.28.4: upgrades go only forward
    min_cpu: int  # mincpunumber
    min_memory_mib: int  # minmemory
    supports_ha: bool = True  # supportsha: more than one control node
    zone_id: str = ""  # "": every zone
    enabled: bool = True  # state Enabled; CKS refuses a Disabled version


@dataclass(frozen=True)
class ProjectRef:
    id: str
    name: str
    tags: Mapping[str, str] = field(default_factory=dict)
    usage: ProjectUsage | None = None
    domain_id: str = ""
    display_text: str = ""
    state: str = ""  # Active, Suspended, Disabled


@dataclass(frozen=True)
class Directory:
    """A cloud's domains, accounts and users: who may own and join its projects."""

    domains: Mapping[str, str]  # path (ROOT/apps/retail) → id
    accounts: frozenset[tuple[str, str]]  # (domain id, account name)
    users: Mapping[tuple[str, str], str]  # (domain id, user name) → user id

    def domain_path(self, domain_id: str) -> str:
        return next((path for path, id_ in self.domains.items() if id_ == domain_id), domain_id)


@dataclass(frozen=True)
class Catalog:
    zones: Mapping[str, Zone]
    service_offerings: Mapping[str, ServiceOffering]
    disk_offerings: Mapping[str, DiskOffering]
    templates: Mapping[tuple[str, str], Template]  # (name, zone id)
    network_offerings: Mapping[str, NetworkOffering]
    projects: Mapping[str, ProjectRef]
    vpc_offerings: Mapping[str, VpcOffering] = field(default_factory=dict)
    affinity_types: tuple[str, ...] = ()  # listAffinityGroupTypes
    # listKubernetesSupportedVersions by name; None: the cloud does not offer CKS (432)
    kubernetes_versions: Mapping[str, KubernetesVersion] | None = None

    def zone_name(self, zone_id: str) -> str:
        return next((zone.name for zone in self.zones.values() if zone.id == zone_id), zone_id)

    def template(self, name: str, zone: str) -> Template | None:
        found = self.zones.get(zone)
        return self.templates.get((name, found.id)) if found else None

    def by_id(self, kind: str, item_id: str) -> str:
        """The name of a catalog entry by id (kind: service_offerings, disk_offerings, ...)."""
        entries: Mapping[Any, Any] = getattr(self, kind)
        return next((entry.name for entry in entries.values() if entry.id == item_id), item_id)


@dataclass(frozen=True)
class LiveObject:
    kind: str
    name: str
    id: str
    fields: Mapping[str, Any]
    labels: Mapping[str, str] = field(default_factory=dict)
    commit: str | None = None
    protected: bool = False
    # Without a record of its label keys (tagged by an older stackgate): its tags that are not
    # stackgate's own. Those the repo names as labels are stackgate's; the rest are not.
    unrecorded: Mapping[str, str] = field(default_factory=dict)
    repo: str = ""  # set only on an object another repo tagged: that repo


def unmanaged_address(address: Any) -> str:
    """How a rule names a public IP no repo manages (its address has no name to show)."""
    return f"unmanaged address {address}"


@dataclass(frozen=True)
class LiveProject:
    name: str
    id: str
    objects: Mapping[tuple[str, str], LiveObject]  # (kind, name) → object
    duplicates: tuple[LiveObject, ...] = ()  # a second object with a key already seen
    cloud: str = ""
    # Objects no repo tagged (named by CloudStack's name, or by id for nameless kinds) and
    # objects another repo tagged (named by their key): what the plan may adopt, or must not.
    untagged: tuple[LiveObject, ...] = ()
    foreign: tuple[LiveObject, ...] = ()
    api_calls: int = 0
    seconds: float = 0.0


@dataclass(frozen=True)
class Quota:
    used: int
    limit: int | None  # None: unlimited
    unit: Unit

    @property
    def available(self) -> int | None:
        return None if self.limit is None else max(self.limit - self.used, 0)


@dataclass(frozen=True)
class ProjectUsage:
    project: str
    project_id: str
    quotas: Mapping[str, Quota]
    domain_id: str = ""


@dataclass(frozen=True)
class ProjectDefaults:
    """A cloud's max.project.* settings: the limits a project starts with (None: unlimited).

    ``unread`` says why they could not be read (listConfigurations refused), and then a new
    project's starting limits are unknown, not unlimited."""

    limits: Mapping[str, int | None]
    unread: str = ""


@dataclass(frozen=True)
class DomainUsage:
    """A domain's limits and what the accounts and projects in and below it hold (listDomains)."""

    id: str
    path: str  # ROOT/apps/retail
    parent_id: str | None  # None: ROOT, which CloudStack never limits
    quotas: Mapping[str, Quota]


@dataclass(frozen=True)
class LiveState:
    """Everything read from the clouds for one plan."""

    projects: Mapping[str, LiveProject]  # by project name; absent: not readable or not asked
    usage: Mapping[str, ProjectUsage]
    catalogs: Mapping[str, Catalog]  # by cloud name
    unreachable: Mapping[str, str] = field(default_factory=dict)  # cloud → why it was not read
    api_calls: int = 0
    seconds: float = 0.0
    domains: Mapping[str, DomainUsage] = field(default_factory=dict)  # by domain id
    # Read only where the plan creates a project or lists members (app/cloudstack/directory.py)
    directories: Mapping[str, Directory] = field(default_factory=dict)  # by cloud name
    members: Mapping[str, Mapping[str, str]] = field(default_factory=dict)  # project → key → role
    project_roles: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # custom, by name
    # Read only where the plan creates a project: one listConfigurations per cloud
    project_defaults: Mapping[str, ProjectDefaults] = field(default_factory=dict)
