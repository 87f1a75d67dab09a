"""One step per kind, in dependency order: CloudStack's rows of a project → the project file."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from app.cloudstack.model import Catalog
from app.imports.backups import map_policies, map_templates
from app.imports.clusters import made_by_cluster, map_clusters
from app.imports.groups import affinity_of, map_affinity_groups, static_nat_of
from app.imports.keys import map_ssh_keys
from app.imports.mapping import Mapper, ProjectRows, rule_label, tagged_name
from app.imports.model import ImportedProject, Unmodelled
from app.imports.names import address_key
from app.imports.security_groups import groups_of, in_sg_zone, map_security_groups
from app.imports.vpcs import map_vpcs


def map_project(
    found: ProjectRows,
    catalog: Catalog,
    settings: dict[str, Any],
    keep: Collection[str] | None = None,
    public_keys: Mapping[str, str] | None = None,
) -> ImportedProject:
    """The project file for ``found`` (only the objects whose ids are in ``keep``, when given);
    ``public_keys`` by key pair name, where a Terraform state carries them."""
    mapper = Mapper(found, catalog, keep)
    mapper.reading.cks_rules.learn(found.rows.get("kubernetes_cluster", []))
    placeholders = map_ssh_keys(mapper, public_keys or {})
    map_vpcs(mapper)
    _networks(mapper)
    map_affinity_groups(mapper)
    map_security_groups(mapper)
    map_templates(mapper)
    _instances(mapper)
    map_clusters(mapper)
    _volumes(mapper)
    map_policies(mapper)
    _public_ips(mapper)
    _rules(mapper)
    for value in mapper.sections.values():
        if isinstance(value, list):
            value.sort(key=repr)
    return ImportedProject(
        settings["project"],
        {**settings, "zone": mapper.zone},
        mapper.sections,
        mapper.skipped,
        mapper.renamed,
        sorted(mapper.unmodelled, key=lambda u: (u.kind, u.name, u.id)),
        list(found.unchecked),
        mapper.seen,
        placeholders,
    )


def _networks(mapper: Mapper) -> None:
    for row in mapper.rows("network"):
        fields = mapper.reading.network(row)
        if row.get("vpcid"):
            continue  # a tier: written under its VPC (vpcs.py)
        if str(row.get("type", "Isolated")) != "Isolated":
            kind = f"{row.get('type')} network"
            mapper.unmodelled.append(Unmodelled(kind, str(row["name"]), str(row["id"])))
            continue
        entry = {key: fields[key] for key in ("offering", "cidr", "zone", "description")}
        mapper.put("networks", "network", str(row["name"]), row, entry)


def _instances(mapper: Mapper) -> None:
    for row in mapper.rows("instance"):
        fields = mapper.reading.instance(row)
        problem = next(
            filter(None, (mapper.missing({"networks": n}) for n in fields["networks"])), None
        )
        if problem or not (fields["networks"] or in_sg_zone(mapper, fields)):
            mapper.skip("instance", str(row["name"]), row, problem or "on no network")
            continue
        gib, ssh_key = fields["root_disk_gib"], fields["ssh_key"]
        entry = {
            "offering": fields["offering"],
            "template": fields["template"],
            "networks": [mapper.key("networks", name) for name in fields["networks"]],
            "ssh_key": mapper.key("ssh_keys", ssh_key) if mapper.has("ssh_keys", ssh_key) else None,
            "root_disk": f"{gib}GiB" if gib else None,
            "zone": fields["zone"],
            "affinity_groups": affinity_of(mapper, fields),
            "security_groups": groups_of(mapper, fields),
        }
        mapper.put("instances", "instance", str(row["name"]), row, entry)


def _volumes(mapper: Mapper) -> None:
    for row in mapper.rows("volume"):
        fields = mapper.reading.volume(row)
        problem = mapper.refer(fields, {"attach_to": "instances"})
        if problem:
            mapper.skip("volume", str(row["name"]), row, problem)
            continue
        offering = mapper.catalog.disk_offerings.get(str(fields["offering"]))
        custom = offering is None or offering.custom
        entry = {
            "offering": fields["offering"],
            "size": f"{fields['size_gib']}GiB" if custom else None,
            "attach_to": fields["attach_to"],
            "zone": fields["zone"],
        }
        mapper.put("volumes", "volume", str(row["name"]), row, entry)


def _public_ips(mapper: Mapper) -> None:
    for row in mapper.rows("public_ip"):
        fields = mapper.reading.public_ip(row)
        address, row_id = str(fields["address"]), str(row["id"])
        place = "vpc" if row.get("vpcid") else "network"  # a VPC's address stays on no tier
        if not fields[place]:
            mapper.unmodelled.append(
                Unmodelled("public IP outside an isolated network", address, row_id)
            )
            continue
        key = tagged_name(row, "public_ip") or address_key(address)
        if made_by_cluster(mapper, "public_ip", key, row):
            continue
        problem = mapper.refer(fields, {place: f"{place}s"})
        if problem:
            mapper.skip("public_ip", key, row, problem)
            continue
        entry = {place: fields[place], "static_nat": static_nat_of(mapper, row)}
        mapper.put("public_ips", "public_ip", key, row, entry)
        if mapper.has("public_ips", key):
            mapper.reading.ip_names[row_id] = key


def _rules(mapper: Mapper) -> None:
    for row in mapper.rows("firewall"):
        entry = mapper.reading.firewall(row)
        entry["cidrs"] = entry["cidrs"] or ["0.0.0.0/0"]  # CloudStack's default source
        if not made_by_cluster(mapper, "firewall", rule_label(entry), row):
            mapper.rule("firewall", "firewall", row, entry, {"ip": "public_ips"})
    for row in mapper.rows("egress"):
        entry = mapper.reading.egress(row)
        mapper.rule("egress", "egress", row, entry, {"network": "networks"})
    for row in mapper.rows("port_forward"):
        entry = mapper.reading.port_forward(row)
        refs = {"ip": "public_ips", "instance": "instances", **_tier(entry)}
        if not made_by_cluster(mapper, "port_forward", rule_label(entry), row):
            mapper.rule("port_forwards", "port_forward", row, entry, refs)
    for row in mapper.rows("load_balancer"):
        entry = mapper.reading.load_balancer(row)
        entry["members"] = sorted(mapper.found.members.get(str(row["id"]), entry["members"]))
        name = str(row["name"])
        if made_by_cluster(mapper, "load_balancer", name, row):
            continue
        problem = next(
            filter(None, (mapper.missing({"instances": m}) for m in entry["members"])), None
        ) or mapper.refer(entry, {"ip": "public_ips", **_tier(entry)})
        if problem or not entry["members"]:
            mapper.skip("load_balancer", name, row, problem or "has no members")
        else:
            entry["members"] = sorted(mapper.key("instances", m) for m in entry["members"])
            mapper.put("load_balancers", "load_balancer", name, row, entry)


def _tier(entry: dict[str, Any]) -> dict[str, str]:
    """A rule on a VPC address names its tier, a network of the project."""
    return {"tier": "networks"} if entry.get("tier") else {}
