"""The bookkeeping of one project's import: sections written by name, never by id, and what
was left out.

Pure: the rows are read elsewhere (cloud.py). An object whose name the format cannot carry
is written under a valid key, CloudStack's name kept beside it, and what refers to it uses
that key; an object that refers to one left out is left out too, with the reason, so the file
always validates.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from app.cloudstack.catalog import tag_map
from app.cloudstack.inventory import TAG_KEY, Reading
from app.cloudstack.model import Catalog
from app.imports.model import Renamed, Skipped, Unmodelled
from app.imports.names import valid_key

Row = Mapping[str, Any]
PORTS = ("ports", "public_port", "private_port")


@dataclass
class ProjectRows:
    """Every row of one project, by stackgate kind, as the list calls answered them."""

    rows: dict[str, list[Row]] = field(default_factory=dict)
    root_gib: dict[str, int] = field(default_factory=dict)  # instance id → root disk size
    members: dict[str, list[str]] = field(default_factory=dict)  # load balancer id → instances
    unmodelled: list[Unmodelled] = field(default_factory=list)
    unchecked: list[str] = field(default_factory=list)


def clean(entry: Mapping[str, Any]) -> dict[str, Any]:
    """Unset fields left out, and a single port written as the number it is."""
    return {
        key: int(value) if key in PORTS and str(value).isdigit() else value
        for key, value in entry.items()
        if value not in (None, "", [])
    }


class Mapper:
    """The sections being written, what was left out, and the project's zone."""

    def __init__(self, found: ProjectRows, catalog: Catalog, keep: Collection[str] | None) -> None:
        self.found, self.catalog = found, catalog
        self.keep = None if keep is None else set(keep)
        self.reading = Reading(root_gib=dict(found.root_gib))
        self.sections: dict[str, Any] = {}
        self.seen: set[str] = set()  # ids of the objects looked at (key pairs: names)
        self.skipped: list[Skipped] = []
        self.renamed: list[Renamed] = []
        self.keys: dict[tuple[str, str], str] = {}  # (section, CloudStack name) → key written
        self.tiers: set[str] = set()  # keys of the tiers written under their VPCs: networks too
        self.unmodelled = list(found.unmodelled)
        self.zone = self._zone()

    def rows(self, kind: str) -> list[Row]:
        rows = sorted(self.found.rows.get(kind, []), key=lambda row: str(row["id"]))
        # a Terraform state knows a key pair by its name
        kept = [r for r in rows if self.keep is None or {str(r["id"]), r.get("name")} & self.keep]
        self.seen.update(str(r["name"] if kind == "ssh_key" else r["id"]) for r in kept)
        return kept

    def _zone(self) -> str:
        zones = Counter(
            str(row["zonename"])
            for kind in ("network", "instance", "volume")
            for row in self.found.rows.get(kind, [])
            if row.get("zonename")
        )
        ranked = sorted(zones.items(), key=lambda item: (-item[1], item[0]))
        return ranked[0][0] if ranked else min(self.catalog.zones, default="")

    def key(self, section: str, name: Any) -> Any:
        """The key ``name`` of ``section`` was written under (itself, unless renamed)."""
        return name if name is None else self.keys.get((section, str(name)), name)

    def has(self, section: str, name: Any) -> bool:
        key = self.key(section, name)
        tier = section == "networks" and key in self.tiers
        return tier or key in self.sections.get(section, {})

    def tier(self, name: str, key: str) -> None:
        """A tier written under its VPC, which instances and rules name as a network."""
        self.keys[("networks", name)] = key
        self.tiers.add(key)

    def put(self, section: str, kind: str, name: str, row: Row, entry: dict[str, Any]) -> None:
        """Named entries: under a valid key, and never two under one key."""
        renamed = valid_key(kind, name)
        key = renamed[0] if renamed else name
        if key in self.sections.get(section, {}) or (section, name) in self.keys:
            self.skip(kind, name, row, f"a second {kind} named '{key}' in the project")
            return
        if renamed:
            self.renamed.append(Renamed(kind, key, name, str(row["id"]), renamed[1]))
        self.keys[(section, name)] = key
        zone = entry.pop("zone", None)
        if zone and zone != self.zone:
            entry["zone"] = zone
        self.sections.setdefault(section, {})[key] = clean(entry)

    def skip(self, kind: str, name: str, row: Row, reason: str, owned: bool = False) -> None:
        self.skipped.append(Skipped(kind, name, str(row["id"]), reason, owned))

    def missing(self, wanted: Mapping[str, Any]) -> str | None:
        """The first reference (section → name) to an entry that was not written."""
        for section, name in wanted.items():
            if name is not None and not self.has(section, name):
                return f"refers to {section.rstrip('s').replace('_', ' ')} '{name}', not imported"
        return None

    def refer(self, entry: dict[str, Any], refs: Mapping[str, str]) -> str | None:
        """Point each field of ``refs`` (field → section) at the key written, or say which
        object it refers to was not imported."""
        problem = self.missing({section: entry[name] for name, section in refs.items()})
        if problem is None:
            entry.update({name: self.key(section, entry[name]) for name, section in refs.items()})
        return problem

    def rule(
        self, section: str, kind: str, row: Row, entry: dict[str, Any], refs: Mapping[str, str]
    ) -> None:
        label = rule_label(entry)
        problem = self.refer(entry, refs)
        if problem:
            self.skip(kind, label, row, problem)
        else:
            self.sections.setdefault(section, []).append(clean(entry))


def rule_label(entry: Mapping[str, Any]) -> str:
    """A rule, which has no name, by its fields."""
    return " ".join(str(v) for v in entry.values() if isinstance(v, str | int))


def tagged_name(row: Row, kind: str) -> str | None:
    """The key stackgate tagged an object with, if it did."""
    tagged_kind, _, name = tag_map(row).get(TAG_KEY, "").partition("/")
    return name if tagged_kind == kind and name else None
