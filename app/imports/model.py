"""What an import found, as plain values: the project file's content, and what it left out."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# sections of a project file, in the order they are written (what others refer to comes first)
SECTIONS = (
    "ssh_keys",
    "affinity_groups",
    "security_groups",
    "vpcs",
    "network_acls",
    "networks",
    "templates",
    "instances",
    "kubernetes_clusters",
    "volumes",
    "public_ips",
    "load_balancers",
    "firewall",
    "egress",
    "port_forwards",
)

# the kind of one entry of each section, as Skipped and Unmodelled name it
KIND_OF = {section: section.removesuffix("s") for section in SECTIONS}


@dataclass(frozen=True)
class Skipped:
    """An object of a kind stackgate models that could not be written, and why."""

    kind: str
    name: str
    id: str
    reason: str
    # CloudStack's own, made for an object the file describes (a cluster's rules, by CKS):
    # left out on purpose, so no failure of the import
    owned: bool = False


@dataclass(frozen=True)
class Renamed:
    """An object written under a valid key: its CloudStack name breaks a rule of the format."""

    kind: str
    key: str
    name: str  # CloudStack's name, kept in a comment beside the key
    id: str
    rule: str


@dataclass(frozen=True)
class Unmodelled:
    """An object of a kind stackgate does not model: listed, never dropped in silence."""

    kind: str
    name: str
    id: str


@dataclass
class ImportedProject:
    """One project file's settings and sections, with what was left out of them."""

    name: str
    settings: dict[str, Any]
    sections: dict[str, Any] = field(default_factory=dict)
    skipped: list[Skipped] = field(default_factory=list)
    renamed: list[Renamed] = field(default_factory=list)
    unmodelled: list[Unmodelled] = field(default_factory=list)
    unchecked: list[str] = field(default_factory=list)  # kinds the cloud would not list
    seen: set[str] = field(default_factory=set)  # ids read (key pairs: names)
    # written with a placeholder to replace before the file validates (a key pair's public key)
    placeholders: list[Skipped] = field(default_factory=list)

    def imported(self, section: str) -> int:
        return len(self.sections.get(section, ()))
