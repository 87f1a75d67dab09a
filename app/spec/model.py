"""The infrastructure-repo format as typed models: what app teams may write, and nothing else."""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from app.spec.fields import (
    ROOT_DOMAIN,
    Cidr,
    CountLimit,
    DomainPath,
    HostName,
    Name,
    PortRange,
    SizeLimit,
    bad_value,
)
from app.spec.units import Size

Labels = dict[str, str]


class Strict(BaseModel):
    """Unknown fields are errors and YAML types are taken as written (no '5' → 5)."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class Resource(Strict):
    labels: Labels = Field(default_factory=dict, description="Extra CloudStack tags")
    protected: bool = Field(False, description="Deny deletes and replaces of this resource")


class Network(Resource):
    offering: str = Field(description="Network offering name")
    cidr: Cidr = Field(description="Guest CIDR of the isolated network, e.g. 10.1.0.0/24")
    zone: str | None = Field(None, description="Zone; defaults to the project's zone")
    description: str = ""


class Instance(Resource):
    offering: str = Field(description="Service offering name")
    template: str = Field(description="Template name")
    networks: list[Name] = Field(min_length=1, description="Networks; the first is the default")
    ssh_key: Name | None = Field(None, description="SSH key pair from ssh_keys")
    root_disk: Size | None = Field(None, description="Root disk size, e.g. 40GiB")
    zone: str | None = None
    user_data: str | None = Field(None, description="cloud-init user data")


class Volume(Resource):
    offering: str = Field(description="Disk offering name")
    size: Size | None = Field(None, description="Size for custom-size disk offerings")
    attach_to: HostName | None = Field(None, description="Instance to attach the volume to")
    zone: str | None = None


class PublicIp(Resource):
    network: Name = Field(description="Network the address is associated with")


class _TrafficRule(Strict):
    protocol: str
    ports: PortRange | None = Field(None, description="443 or '8000-8100'; not for icmp")
    icmp_type: int | None = Field(None, ge=-1, le=255)
    icmp_code: int | None = Field(None, ge=-1, le=255)

    @model_validator(mode="after")
    def _ports_fit_protocol(self) -> Self:
        if self.protocol in ("icmp", "all") and self.ports is not None:
            raise bad_value(f"ports do not apply to protocol {self.protocol}", "remove 'ports'")
        icmp = self.icmp_type is not None or self.icmp_code is not None
        if icmp and self.protocol != "icmp":
            raise bad_value("icmp_type and icmp_code apply only to protocol icmp", "")
        return self

    def _what(self) -> str:
        if self.protocol == "icmp":
            return f"{_icmp(self.icmp_type)}/{_icmp(self.icmp_code)}"
        return str(self.ports) if self.ports else "all"


def _icmp(value: int | None) -> int:
    return -1 if value is None else value


KEY_LIMIT = 200  # tag values hold 255 characters; long CIDR lists are shortened with a hash


def rule_key(anchor: str, protocol: str, what: str, cidrs: list[str]) -> str:
    """e.g. ``web-ip:tcp:443:0.0.0.0/0``; stable however the CIDRs are ordered in the file."""
    key = f"{anchor}:{protocol}:{what}" + (f":{','.join(sorted(cidrs))}" if cidrs else "")
    if len(key) <= KEY_LIMIT:
        return key
    digest = hashlib.sha256(key.encode()).hexdigest()[:12]
    return f"{key[: KEY_LIMIT - 14]}~{digest}"


class FirewallRule(_TrafficRule):
    ip: Name = Field(description="Public IP from public_ips")
    protocol: Literal["tcp", "udp", "icmp"]
    cidrs: list[Cidr] = Field(min_length=1, description="Source CIDRs allowed in")

    @property
    def key(self) -> str:
        """The rule's name: its whole content, since CloudStack cannot change a rule in place."""
        return rule_key(self.ip, self.protocol, self._what(), self.cidrs)


class EgressRule(_TrafficRule):
    network: Name
    protocol: Literal["tcp", "udp", "icmp", "all"]
    cidrs: list[Cidr] = Field(min_length=1, description="Destination CIDRs allowed out")

    @property
    def key(self) -> str:
        return rule_key(self.network, self.protocol, self._what(), self.cidrs)


class PortForward(Strict):
    ip: Name
    protocol: Literal["tcp", "udp"]
    public_port: PortRange
    private_port: PortRange
    instance: HostName
    cidrs: list[Cidr] | None = None

    @property
    def key(self) -> str:
        target = f"{self.public_port}->{self.instance}:{self.private_port}"
        return rule_key(self.ip, self.protocol, target, self.cidrs or [])


class LoadBalancer(Resource):
    ip: Name
    algorithm: Literal["roundrobin", "leastconn", "source"] = "roundrobin"
    protocol: Literal["tcp", "udp"] = "tcp"
    public_port: int = Field(ge=1, le=65535)
    private_port: int = Field(ge=1, le=65535)
    members: list[HostName] = Field(min_length=1)
    cidrs: list[Cidr] | None = None


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


class Limits(Strict):
    """Desired CloudStack project resource limits (updateResourceLimit)."""

    instances: CountLimit | None = None
    cpu: CountLimit | None = None
    memory: SizeLimit | None = None
    volumes: CountLimit | None = None
    primary_storage: SizeLimit | None = None
    secondary_storage: SizeLimit | None = None
    networks: CountLimit | None = None
    public_ips: CountLimit | None = None
    snapshots: CountLimit | None = None
    templates: CountLimit | None = None
    vpcs: CountLimit | None = None


ProjectState = Literal["active", "suspended"]
# CloudStack's project role types, or a custom project role of the project (createProjectRole),
# which the plan checks against the roles the cloud lists for it
ROLE_TYPES = ("Admin", "Regular")


class Member(Strict):
    """An account, or one user, of the project's domain with its project role."""

    account: Name | None = Field(None, description="Account of the project's domain")
    user: str | None = Field(None, description="User name of the project's domain")
    role: str = Field(
        "Regular",
        min_length=1,
        description="Project role: Admin, Regular, or a custom project role of the project",
    )

    @model_validator(mode="after")
    def _one_of(self) -> Self:
        if (self.account is None) == (self.user is None):
            raise bad_value("a member names an account or a user", "write account: or user:")
        return self

    @property
    def key(self) -> str:
        """'account:<name>' or 'user:<name>': the member's name in the plan."""
        return f"account:{self.account}" if self.account else f"user:{self.user}"


class Resources(Strict):
    """The resource sections, shared by a project file and a merged project."""

    networks: dict[Name, Network] = Field(default_factory=dict)
    instances: dict[HostName, Instance] = Field(default_factory=dict)
    volumes: dict[Name, Volume] = Field(default_factory=dict)
    public_ips: dict[Name, PublicIp] = Field(default_factory=dict)
    firewall: list[FirewallRule] = Field(default_factory=list)
    egress: list[EgressRule] = Field(default_factory=list)
    port_forwards: list[PortForward] = Field(default_factory=list)
    load_balancers: dict[Name, LoadBalancer] = Field(default_factory=dict)
    ssh_keys: dict[Name, SshKey] = Field(default_factory=dict)


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
)
