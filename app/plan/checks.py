"""Names in the repo that the cloud does not know: zones, offerings, templates (and, in
network_checks.py, what the cloud offers VPCs, security and affinity groups).

Each becomes a diagnostic at the line that wrote the name, with the closest name the cloud
does know; the plan does not guess.
"""

from __future__ import annotations

from collections.abc import Iterator

from app.cloudstack.model import Catalog, Template
from app.plan.cluster_checks import check_clusters
from app.plan.network_checks import check_networking
from app.spec.diagnostics import Code, Diagnostic, did_you_mean, error
from app.spec.model import Instance, Project
from app.spec.state import SourceMap


def check_catalog(project: Project, catalog: Catalog, sources: SourceMap) -> list[Diagnostic]:
    """A project that does not exist is planned to be created (app/plan/projects.py)."""
    return [
        *_unknown_names(project, catalog, sources),
        *check_networking(project, catalog, sources),
        *check_clusters(project, catalog, sources),
    ]


def _unknown(
    code: Code,
    what: str,
    name: str,
    known: list[str],
    sources: SourceMap,
    project: str,
    *path: str | int,
) -> Diagnostic:
    hint = did_you_mean(name, known) or (f"known: {', '.join(sorted(known)[:8])}" if known else "")
    return error(code, f"unknown {what} '{name}'", sources.where(project, *path), hint)


def _unknown_names(project: Project, catalog: Catalog, sources: SourceMap) -> Iterator[Diagnostic]:
    zones = list(catalog.zones)
    if project.zone not in catalog.zones:
        yield _unknown(
            Code.UNKNOWN_ZONE, "zone", project.zone, zones, sources, project.name, "zone"
        )
    sections = (
        ("networks", project.networks),
        ("vpcs", project.vpcs),
        ("instances", project.instances),
        ("volumes", project.volumes),
        ("kubernetes_clusters", project.kubernetes_clusters),
    )
    for section, entries in sections:
        for name, item in entries.items():
            zone = getattr(item, "zone", None)
            if zone and zone not in catalog.zones:
                yield _unknown(
                    Code.UNKNOWN_ZONE,
                    "zone",
                    zone,
                    zones,
                    sources,
                    project.name,
                    section,
                    name,
                    "zone",
                )
    for name, network in project.networks.items():
        if network.offering not in catalog.network_offerings:
            known = list(catalog.network_offerings)
            where = ("networks", name, "offering")
            yield _unknown(
                Code.UNKNOWN_NETWORK_OFFERING,
                "network offering",
                network.offering,
                known,
                sources,
                project.name,
                *where,
            )
    for name, template in project.templates.items():
        for i, zone in enumerate(template.zones or []):
            if zone not in catalog.zones:
                at = ("templates", name, "zones", i)
                yield _unknown(Code.UNKNOWN_ZONE, "zone", zone, zones, sources, project.name, *at)
    yield from _instance_names(project, catalog, sources)
    yield from _volume_names(project, catalog, sources)
    offerings = list(catalog.service_offerings)
    for name, cluster in project.kubernetes_clusters.items():
        if cluster.offering not in catalog.service_offerings:
            where = ("kubernetes_clusters", name, "offering")
            yield _unknown(
                Code.UNKNOWN_SERVICE_OFFERING,
                "service offering",
                cluster.offering,
                offerings,
                sources,
                project.name,
                *where,
            )


def _instance_names(project: Project, catalog: Catalog, sources: SourceMap) -> Iterator[Diagnostic]:
    for name, instance in project.instances.items():
        if instance.offering not in catalog.service_offerings:
            yield _unknown(
                Code.UNKNOWN_SERVICE_OFFERING,
                "service offering",
                instance.offering,
                list(catalog.service_offerings),
                sources,
                project.name,
                "instances",
                name,
                "offering",
            )
        # the project's own template is registered by the plan (its zones: the spec's check)
        own = instance.template in project.templates
        zone = instance.zone or project.zone
        template = None if own else catalog.template(instance.template, zone)
        yield from _root_disk(project.name, name, instance, template, sources)
        if zone in catalog.zones and template is None and not own:
            here = [
                t.name for t in catalog.templates.values() if t.zone_id == catalog.zones[zone].id
            ]
            yield _unknown(
                Code.UNKNOWN_TEMPLATE,
                f"template in zone {zone}:",
                instance.template,
                here,
                sources,
                project.name,
                "instances",
                name,
                "template",
            )


def _volume_names(project: Project, catalog: Catalog, sources: SourceMap) -> Iterator[Diagnostic]:
    for name, volume in project.volumes.items():
        offering = catalog.disk_offerings.get(volume.offering)
        if offering is None:
            yield _unknown(
                Code.UNKNOWN_DISK_OFFERING,
                "disk offering",
                volume.offering,
                list(catalog.disk_offerings),
                sources,
                project.name,
                "volumes",
                name,
                "offering",
            )
        elif offering.custom and volume.size is None:
            yield error(
                Code.DISK_SIZE,
                f"disk offering '{offering.name}' needs a size",
                sources.where(project.name, "volumes", name),
                "add 'size:', e.g. 100GiB",
            )
        elif (
            not offering.custom
            and volume.size is not None
            and volume.size.mib != offering.size_gib * 1024
        ):
            yield error(
                Code.DISK_SIZE,
                f"disk offering '{offering.name}' has a fixed size of {offering.size_gib}GiB",
                sources.where(project.name, "volumes", name, "size"),
                "remove 'size:' or use a custom-size offering",
            )
        elif volume.size is not None and volume.size.mib % 1024:
            yield error(
                Code.DISK_SIZE,
                "volume sizes are whole GiB",
                sources.where(project.name, "volumes", name, "size"),
                "round it to whole GiB",
            )


def _root_disk(
    project: str, name: str, instance: Instance, template: Template | None, sources: SourceMap
) -> Iterator[Diagnostic]:
    """CloudStack sizes root disks in whole GiB and refuses one smaller than its template."""
    size = instance.root_disk
    if size is None:
        return
    where = sources.where(project, "instances", name, "root_disk")
    if size.mib % 1024:
        yield error(Code.DISK_SIZE, "root disk sizes are whole GiB", where, "round it to whole GiB")
    elif template is not None and size.mib < template.size_gib * 1024:
        yield error(
            Code.DISK_SIZE,
            f"root disk {size} is smaller than template '{template.name}' ({template.size_gib}GiB)",
            where,
            f"use at least {template.size_gib}GiB, or leave 'root_disk:' out",
        )
