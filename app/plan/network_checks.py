"""Names of the networking kinds that the cloud does not offer: VPC offerings, tier offerings
that are not for VPCs (and VPC-only offerings outside a VPC), security groups in a zone that
does not filter with them, affinity group types the cloud does not list."""

from __future__ import annotations

from collections.abc import Iterator

from app.cloudstack.model import Catalog
from app.spec.diagnostics import Code, Diagnostic, did_you_mean, error
from app.spec.model import Project
from app.spec.state import SourceMap


def _offerings(project: Project, catalog: Catalog, sources: SourceMap) -> Iterator[Diagnostic]:
    """VpcManagerImpl.createVpc needs a VPC offering; createNetwork refuses a tier whose
    offering is not for VPCs, and a network outside a VPC whose offering is only for them."""
    vpc_only = sorted(name for name, o in catalog.network_offerings.items() if o.for_vpc)
    for vpc_name, vpc in project.vpcs.items():
        if vpc.offering not in catalog.vpc_offerings:
            known = list(catalog.vpc_offerings)
            yield error(
                Code.UNKNOWN_VPC_OFFERING,
                f"unknown VPC offering '{vpc.offering}'",
                sources.where(project.name, "vpcs", vpc_name, "offering"),
                did_you_mean(vpc.offering, known) or f"known: {', '.join(sorted(known)[:8])}",
            )
        for name, tier in vpc.tiers.items():
            where = sources.where(project.name, "vpcs", vpc_name, "tiers", name, "offering")
            offering = catalog.network_offerings.get(tier.offering)
            if offering is None:
                hint = did_you_mean(tier.offering, vpc_only) or f"for VPCs: {', '.join(vpc_only)}"
                message = f"unknown network offering '{tier.offering}'"
                yield error(Code.UNKNOWN_NETWORK_OFFERING, message, where, hint)
            elif not offering.for_vpc:
                yield error(
                    Code.NOT_A_VPC_OFFERING,
                    f"network offering '{tier.offering}' is not for VPC tiers",
                    where,
                    f"use one for VPCs: {', '.join(vpc_only)}" if vpc_only else "",
                )
    for name, network in project.networks.items():
        offering = catalog.network_offerings.get(network.offering)
        if offering is not None and offering.for_vpc:
            yield error(
                Code.NOT_A_VPC_OFFERING,
                f"network offering '{network.offering}' is for VPC tiers only",
                sources.where(project.name, "networks", name, "offering"),
                "make it a tier under a VPC's 'tiers:', or use an offering for isolated networks",
            )


def _security_groups(
    project: Project, catalog: Catalog, sources: SourceMap
) -> Iterator[Diagnostic]:
    """UserVmManagerImpl refuses a VM with security groups in a zone without them; a VM
    without networks joins the zone's shared network, which only such a zone gives it."""
    for name, instance in project.instances.items():
        zone = catalog.zones.get(instance.zone or project.zone)
        if not instance.networks and zone is not None and not zone.security_groups:
            yield error(
                Code.NO_SECURITY_GROUPS,
                f"instance '{name}' names no network, and zone '{zone.name}' has no shared "
                "network for it (only a zone with security groups does)",
                sources.where(project.name, "instances", name),
                "name its networks:",
            )
        if instance.security_groups and zone is not None and not zone.security_groups:
            with_groups = sorted(z.name for z in catalog.zones.values() if z.security_groups)
            yield error(
                Code.NO_SECURITY_GROUPS,
                f"zone '{zone.name}' of instance '{name}' does not use security groups",
                sources.where(project.name, "instances", name, "security_groups"),
                f"zones that do: {', '.join(with_groups)}" if with_groups else "no zone does",
            )


def _affinity_types(project: Project, catalog: Catalog, sources: SourceMap) -> Iterator[Diagnostic]:
    for name, group in project.affinity_groups.items():
        if group.type not in catalog.affinity_types:
            known = catalog.affinity_types
            yield error(
                Code.UNKNOWN_AFFINITY_TYPE,
                f"the cloud has no affinity group type '{group.type}'",
                sources.where(project.name, "affinity_groups", name, "type"),
                did_you_mean(group.type, known) or f"it lists: {', '.join(known) or 'none'}",
            )


def check_networking(project: Project, catalog: Catalog, sources: SourceMap) -> list[Diagnostic]:
    return [
        *_offerings(project, catalog, sources),
        *_security_groups(project, catalog, sources),
        *_affinity_types(project, catalog, sources),
    ]
