"""Desired entries in the same terms the inventory describes live objects in, ready to compare.

Each entry of a project becomes a DesiredItem whose ``fields`` use the keys of
``LiveObject.fields`` for its kind; catalog defaults are filled in (an instance's root disk is
its template's size unless set, a volume's size its offering's) so that an unchanged object
compares equal to what the cloud reports.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from app.cloudstack.model import Catalog
from app.plan.clusters import cluster_entries
from app.plan.networking import network_entries, traffic_fields
from app.spec.diagnostics import Location
from app.spec.model import (
    EgressRule,
    FirewallRule,
    Instance,
    Item,
    LoadBalancer,
    Network,
    PortForward,
    Project,
    PublicIp,
    SshKey,
    Volume,
)
from app.spec.state import SourceMap


@dataclass(frozen=True)
class DesiredItem:
    kind: str
    project: str
    name: str
    fields: dict[str, Any]
    labels: dict[str, str]
    protected: bool
    location: Location
    spec: Item


def user_data_digest(user_data: str | None) -> str | None:
    """What an instance's tag records of its user data: enough to see it changed, no contents."""
    return hashlib.sha256(user_data.encode()).hexdigest()[:16] if user_data else None


def fingerprint(public_key: str) -> str:
    """The MD5 fingerprint CloudStack shows for a public key (validated by the spec)."""
    digest = hashlib.md5(base64.b64decode(public_key.split()[1])).hexdigest()
    return ":".join(digest[i : i + 2] for i in range(0, len(digest), 2))


def _size(offering: str, catalog: Catalog | None) -> dict[str, int]:
    """Cores and memory of an instance's offering, so a plan (and a policy) sees its size."""
    known = catalog.service_offerings.get(offering) if catalog else None
    return {"cpu": known.cpu, "memory_mib": known.memory_mib} if known else {}


def _sorted(values: list[str] | None) -> list[str]:
    return sorted(values or [])


# kinds CloudStack keeps no tags on
UNTAGGED = ("ssh_key", "affinity_group", "network_acl", "kubernetes_cluster")
# of those, the kinds whose protection their project records beside them (apply.tags.record)
PROTECTION_RECORDED = ("kubernetes_cluster",)

# The kinds whose fields need no more than the entry itself (the rest: networking.py).
Basic = (
    Network | Instance | Volume | PublicIp | FirewallRule | EgressRule | PortForward | LoadBalancer
)


def _set(**fields: Any) -> dict[str, Any]:
    """Only the fields that are set: an object made before they existed compares unchanged."""
    return {key: value for key, value in fields.items() if value}


def fields_of(item: Basic | SshKey, project: Project, catalog: Catalog | None) -> dict[str, Any]:
    match item:
        case Network():
            zone = item.zone or project.zone
            return {
                "offering": item.offering,
                "cidr": item.cidr,
                "zone": zone,
                "description": item.description,
            }
        case Instance():
            zone = item.zone or project.zone
            # a template the project registers is its own, whatever the catalog has by its name
            own = item.template in project.templates
            template = catalog.template(item.template, zone) if catalog and not own else None
            root = (
                item.root_disk.mib // 1024
                if item.root_disk
                else (template.size_gib if template else None)
            )
            return {
                "offering": item.offering,
                "template": item.template,
                "networks": list(item.networks),
                "ssh_key": item.ssh_key,
                # left out on the project's own template without a size: unknown before its
                # download, so whatever size the template gives is no change
                **({"root_disk_gib": root} if root is not None or not own else {}),
                "zone": zone,
                "user_data_sha": user_data_digest(item.user_data),
                **_size(item.offering, catalog),
                # always set, so that taking the last group away is a change
                "affinity_groups": sorted(item.affinity_groups),
                **_set(security_groups=sorted(item.security_groups)),
            }
        case Volume():
            offering = catalog.disk_offerings.get(item.offering) if catalog else None
            size = item.size.mib // 1024 if item.size else (offering.size_gib if offering else None)
            return {
                "offering": item.offering,
                "size_gib": size,
                "attach_to": item.attach_to,
                "zone": item.zone or project.zone,
            }
        case PublicIp():
            # static_nat always set, so that turning it off is a change
            return {**_set(network=item.network, vpc=item.vpc), "static_nat": item.static_nat}
        case FirewallRule():
            return {"ip": item.ip, **traffic_fields(item)}
        case EgressRule():
            return {"network": item.network, **traffic_fields(item)}
        case PortForward():
            return {
                "ip": item.ip,
                "protocol": item.protocol,
                "public_port": str(item.public_port),
                "private_port": str(item.private_port),
                "instance": item.instance,
                "cidrs": _sorted(item.cidrs),
                **_set(tier=item.tier),
            }
        case LoadBalancer():
            return {
                "ip": item.ip,
                "algorithm": item.algorithm,
                "protocol": item.protocol,
                "public_port": item.public_port,
                "private_port": item.private_port,
                "members": _sorted(item.members),
                "cidrs": _sorted(item.cidrs),
                **_set(tier=item.tier),
            }
        case SshKey():
            return {"fingerprint": fingerprint(item.public_key)}


def _entries(
    project: Project, catalog: Catalog | None
) -> Iterator[tuple[str, str, Item, tuple[str | int, ...], dict[str, Any]]]:
    """(kind, name, item, path in the project, fields) for every entry of the project."""
    named: list[tuple[str, str, dict[str, Any]]] = [
        ("network", "networks", project.networks),
        ("instance", "instances", project.instances),
        ("volume", "volumes", project.volumes),
        ("public_ip", "public_ips", project.public_ips),
        ("load_balancer", "load_balancers", project.load_balancers),
        ("ssh_key", "ssh_keys", project.ssh_keys),
    ]
    for kind, section, entries in named:
        for name, item in entries.items():
            yield kind, name, item, (section, name), fields_of(item, project, catalog)
    rules: list[tuple[str, str, list[Any]]] = [
        ("firewall", "firewall", project.firewall),
        ("egress", "egress", project.egress),
        ("port_forward", "port_forwards", project.port_forwards),
    ]
    for rule_kind, rule_section, rule_entries in rules:
        for index, rule in enumerate(rule_entries):
            path = (rule_section, index)
            yield rule_kind, rule.key, rule, path, fields_of(rule, project, catalog)
    yield from network_entries(project)
    yield from cluster_entries(project, catalog)


def desired_items(
    project: Project, sources: SourceMap, catalog: Catalog | None
) -> list[DesiredItem]:
    items = []
    for kind, name, item, path, fields in _entries(project, catalog):
        protected = project.protected or bool(getattr(item, "protected", False))
        if kind in UNTAGGED:  # no labels can be kept on them, protection only where recorded
            labels, protected = {}, protected and kind in PROTECTION_RECORDED
        else:
            labels = {**project.labels, **getattr(item, "labels", {})}
        where = sources.where(project.name, *path, key=True)
        items.append(
            DesiredItem(
                kind,
                project.name,
                name,
                fields,
                labels,
                protected,
                where,
                item,
            )
        )
    return items
