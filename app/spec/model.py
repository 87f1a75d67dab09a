"""The infrastructure-repo format as typed models: what app teams may write, and nothing else."""

from __future__ import annotations

import base64
import binascii
import re
from typing import Literal, Self

from pydantic import Field, field_validator, model_validator

from app.spec.base import Labels, Resource, Strict
from app.spec.fields import ROOT_DOMAIN, Cidr, DomainPath, HostName, Name, bad_value
from app.spec.groups import AffinityGroup, SecurityGroup
from app.spec.kubernetes import KubernetesCluster
from app.spec.snapshots import SnapshotPolicy
from app.spec.templates import Template
from app.spec.tenancy import ROLE_TYPES, Limits, Member, ProjectState
from app.spec.traffic import (
    KEY_LIMIT,
    EgressRule,
    FirewallRule,
    LoadBalancer,
    PortForward,
    rule_key,
)
from app.spec.units import Size
from app.spec.vpc import AclRule, NetworkAcl, Tier, Vpc

# Moved to modules of their own along the domain; importers of this module keep working.
__all__ = [
    "KEY_LIMIT",
    "PROJECT_SETTINGS",
    "RESOURCE_SECTIONS",
    "ROLE_TYPES",
    "Defaults",
    "EgressRule",
    "FirewallRule",
    "Instance",
    "Item",
    "Labels",
    "Limits",
    "LoadBalancer",
    "Member",
    "Network",
    "PortForward",
    "Project",
    "ProjectFile",
    "ProjectState",
    "PublicIp",
    "Reconcile",
    "RepoSettings",
    "Resource",
    "Resources",
    "SshKey",
    "Strict",
    "Volume",
    "rule_key",
    "singular",
]


class Network(Resource):
    offering: str = Field(description="Network offering name")
    cidr: Cidr = Field(description="Guest CIDR of the isolated network, e.g. 10.1.0.0/24")
    zone: str | None = Field(None, description="Zone; defaults to the project's zone")
    description: str = ""


class Instance(Resource):
    offering: str = Field(description="Service offering name")
    template: str = Field(description="Template name")
    networks: list[Name] = Field(
        default_factory=list,
        description="Networks; the first is the default. None: the zone's shared network, "
        "in a zone with security groups",
    )
    ssh_key: Name | None = Field(None, description="SSH key pair from ssh_keys")
    root_disk: Size | None = Field(None, description="Root disk size, e.g. 40GiB")
    zone: str | None = None
    user_data: str | None = Field(None, description="cloud-init user data")
    security_groups: list[Name] = Field(
        default_factory=list, description="Security groups, in zones that use them"
    )
    affinity_groups: list[Name] = Field(default_factory=list, description="Affinity groups")
    snapshot_policy: SnapshotPolicy | None = Field(None, description="Root disk backups")


class Volume(Resource):
    offering: str = Field(description="Disk offering name")
    size: Size | None = Field(None, description="Size for custom-size disk offerings")
    attach_to: HostName | None = Field(None, description="Instance to attach the volume to")
    zone: str | None = None
    snapshot_policy: SnapshotPolicy | None = Field(None, description="Backups of the volume")


class PublicIp(Resource):
    network: Name | None = Field(None, description="Network the address is associated with")
    vpc: Name | None = Field(None, description="VPC the address is associated with, instead")
    static_nat: HostName | None = Field(
        None, description="Instance all of the address's traffic goes to (static NAT)"
    )

    @model_validator(mode="after")
    def _one_home(self) -> Self:
        if (self.network is None) == (self.vpc is None):
            raise bad_value("a public ip names a network or a vpc", "write network: or vpc:")
        return self


class SshKey(Strict):
    public_key: str = Field(description="An OpenSSH public key line: type, base64 key, comment")

    @field_validator("public_key")
    @classmethod
    def _openssh(cls, value: str) -> str:
        parts = value.split()
        if len(parts) < 2 or not re.match(
            r"^(ssh-(rsa|ed25519|dss)|ecdsa-sha2-\S+|sk-\S+)$", parts[0]
        ):
            raise bad_value("not an OpenSSH public key", "paste the whole line of the .pub file")
        try:
            base64.b64decode(parts[1], validate=True)
        except binascii.Error:
            raise bad_value(
                "the key's base64 part is damaged", "paste the .pub file again"
            ) from None
        return value


class Resources(Strict):
    """The resource sections, shared by a project file and a merged project."""

    networks: dict[Name, Network] = Field(default_factory=dict)
    vpcs: dict[Name, Vpc] = Field(default_factory=dict)
    network_acls: dict[Name, NetworkAcl] = Field(default_factory=dict)
    instances: dict[HostName, Instance] = Field(default_factory=dict)
    volumes: dict[Name, Volume] = Field(default_factory=dict)
    public_ips: dict[Name, PublicIp] = Field(default_factory=dict)
    firewall: list[FirewallRule] = Field(default_factory=list)
    egress: list[EgressRule] = Field(default_factory=list)
    port_forwards: list[PortForward] = Field(default_factory=list)
    load_balancers: dict[Name, LoadBalancer] = Field(default_factory=dict)
    ssh_keys: dict[Name, SshKey] = Field(default_factory=dict)
    security_groups: dict[Name, SecurityGroup] = Field(default_factory=dict)
    affinity_groups: dict[Name, AffinityGroup] = Field(default_factory=dict)
    templates: dict[Name, Template] = Field(default_factory=dict)
    kubernetes_clusters: dict[Name, KubernetesCluster] = Field(default_factory=dict)


Reconcile = Literal["report", "heal"]


class ProjectFile(Resources):
    """One file under projects/; settings left out may come from another file of the project."""

    project: Name | None = Field(None, description="CloudStack project; defaults to the file name")
    cloud: Name | None = Field(None, description="Configured CloudStack endpoint")
    domain: DomainPath | None = Field(
        None, description="CloudStack domain path of the project, e.g. ROOT/apps/retail"
    )
    zone: str | None = Field(None, description="Default zone of the project's resources")
    display_text: str | None = Field(None, description="The project's CloudStack display text")
    state: ProjectState | None = Field(None, description="active, or suspended (suspendProject)")
    members: list[Member] | None = Field(
        None, description="Accounts and users of the project with their role; all of them"
    )
    owners: list[str] | None = Field(None, description="Users or @groups who approve changes")
    labels: Labels | None = Field(None, description="Tags added to every resource")
    protected: bool | None = Field(None, description="Protect every resource of the project")
    reconcile: Reconcile | None = Field(None, description="Drift handling: report or heal")
    limits: Limits | None = None


def singular(section: str) -> str:
    """'public_ips' → 'public ip': how a message names one entry of a section."""
    return section.removesuffix("s").replace("_", " ")


PROJECT_SETTINGS = (
    "cloud",
    "domain",
    "zone",
    "display_text",
    "state",
    "members",
    "owners",
    "labels",
    "protected",
    "reconcile",
    "limits",
)
RESOURCE_SECTIONS = tuple(Resources.model_fields)


class Project(Resources):
    """A CloudStack project as the repo wants it, merged from all of its files."""

    name: str
    cloud: str
    domain: str = ROOT_DOMAIN
    zone: str
    display_text: str | None = None  # None: left as it is
    state: ProjectState | None = None
    members: tuple[Member, ...] | None = None  # None: membership is not managed
    owners: tuple[str, ...] = ()
    labels: Labels = Field(default_factory=dict)
    protected: bool = False
    reconcile: Reconcile = "report"
    limits: Limits = Field(default_factory=Limits)
    files: tuple[str, ...] = ()

    def resource_count(self) -> int:
        return sum(len(getattr(self, section)) for section in RESOURCE_SECTIONS)


class Defaults(Strict):
    cloud: Name | None = None
    domain: DomainPath | None = Field(None, description="Domain of projects that name none")
    zone: str | None = None
    project_account: Name | None = Field(
        None,
        description="Account (of the project's domain) that owns a project stackgate creates "
        "when its members name no Admin account",
    )


class RepoSettings(Strict):
    """stackgate.yaml at the repo root: optional settings for the whole repo."""

    version: Literal[1] = 1
    repo: str | None = Field(
        None, description="Stable name of this repo in CloudStack tags; default: the git remote"
    )
    clouds: list[Name] | None = Field(None, description="Clouds projects may use; any if unset")
    defaults: Defaults = Field(default_factory=Defaults)
    max_file_size: Size = Field(Size(1), description="Project files above this are refused")


# Any one resource of a project, whatever its kind.
Item = (
    Network
    | Instance
    | Volume
    | PublicIp
    | FirewallRule
    | EgressRule
    | PortForward
    | LoadBalancer
    | SshKey
    | Vpc
    | Tier
    | NetworkAcl
    | AclRule
    | SecurityGroup
    | AffinityGroup
    | Template
    | KubernetesCluster
    | SnapshotPolicy
)
