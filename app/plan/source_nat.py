"""Source NAT: a declared public IP must not become a network's by surprise, nor go as one.

CloudStack makes the first address associated to an isolated network that has none its
source NAT (IpAddressManagerImpl.isSourceNatAvailableForNetwork; the network's first deploy
then reuses it), and refuses to release a source NAT address unless its network is still
Allocated (NetworkServiceImpl.releaseIpAddressInternal), except with the network itself: its
deletion releases every address it holds (NetworkOrchestrator.cleanupNetworkResources), and
the executor leaves the address to it. The apply order makes instances before public IPs;
these diagnostics cover what ordering cannot.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from app.cloudstack.model import Catalog, LiveState
from app.plan.model import Action, Change
from app.spec.diagnostics import Code, Diagnostic, Location, error, warning

MADE = (Action.CREATE, Action.REPLACE)
GONE = (Action.DELETE, Action.REPLACE)
FRESH = "Allocated"  # a network no VM has used yet: no router, no source NAT from a deploy


def source_nat_diagnostics(changes: Iterable[Change], live: LiveState) -> list[Diagnostic]:
    planned = list(changes)
    networks = {(c.project, c.name): c for c in planned if c.kind == "network"}
    deployed = {(c.project, network) for c in planned if c.action in MADE for network in _placed(c)}
    found: list[Diagnostic] = []
    for change in (c for c in planned if c.kind == "public_ip"):
        before, after = change.before or {}, change.after or {}
        network_name = before.get("network")
        if (
            change.action in GONE
            and before.get("source_nat")
            and not _goes_with_network(live, networks, change.project, network_name)
        ):
            found.append(_release(change, before))
        if change.action in MADE:
            net = after.get("network")
            network = _network(live, networks, change.project, net)
            if (
                network.get("state") == FRESH
                and (change.project, net) not in deployed
                and _has_source_nat(live.catalogs, network.get("offering"))
            ):
                found.append(_claim(change, str(net)))
    return found


def first_use_addresses(changes: Iterable[Change], live: LiveState, project: str) -> int:
    """Networks of ``project`` that no VM has used yet (Allocated in the cloud, so holding no
    source NAT address) which an instance or cluster the plan makes is the first to use: its
    deploy implements the network, and the router takes a source NAT address, a public IP
    the project's count holds from then on. A network the plan makes counts its own."""
    planned = list(changes)
    made = {c.name for c in planned if c.kind == "network" and c.project == project}
    used = {n for c in planned if c.project == project and c.action in MADE for n in _placed(c)}
    return sum(1 for name in used - made if _claims(live, project, name))


def _placed(change: Change) -> list[str]:
    """The networks a change deploys VMs on: an instance's, or a cluster's nodes'."""
    after = change.after or {}
    if change.kind == "instance":
        return [str(name) for name in after.get("networks") or []]
    return [str(after.get("network"))] if change.kind == "kubernetes_cluster" else []


def _claims(live: LiveState, project: str, name: str) -> bool:
    """Whether the network's first deploy takes a new source NAT address: Allocated, of an
    offering with source NAT, not a tier, and no address associated to it yet (the first
    associated one became its source NAT, and the deploy reuses it)."""
    found = live.projects.get(project)
    network = found.objects.get(("network", name)) if found else None
    if found is None or network is None or network.fields.get("state") != FRESH:
        return False
    if network.fields.get("vpc") or not _has_source_nat(
        live.catalogs, network.fields.get("offering")
    ):
        return False
    addresses = (*found.objects.values(), *found.untagged)
    return not any(
        o.kind == "public_ip" and o.fields.get("network") == name and o.fields.get("source_nat")
        for o in addresses
    )


def _network(
    live: LiveState, planned: Mapping[tuple[str, str], Change], project: str, name: Any
) -> Mapping[str, Any]:
    """The network's fields once the earlier waves have run (a new one is still Allocated)."""
    change = planned.get((project, str(name)))
    if change is not None and change.action in MADE:
        return {**(change.after or {}), "state": FRESH}
    live_project = live.projects.get(project)
    found = live_project.objects.get(("network", str(name))) if live_project else None
    return found.fields if found else {}


def _goes_with_network(
    live: LiveState, planned: Mapping[tuple[str, str], Change], project: str, name: Any
) -> bool:
    """Whether the network's source NAT address may go: the plan deletes (or replaces) the
    network too, or no VM has used it yet."""
    change = planned.get((project, str(name)))
    if change is not None and change.action in GONE:
        return True
    return _network(live, planned, project, name).get("state") == FRESH


def _has_source_nat(catalogs: Mapping[str, Catalog], offering: Any) -> bool:
    return any(
        "SourceNat" in catalog.network_offerings[offering].services
        for catalog in catalogs.values()
        if offering in catalog.network_offerings
    )


def _claim(change: Change, network: str) -> Diagnostic:
    return warning(
        Code.SOURCE_NAT_CLAIM,
        f"public IP '{change.name}' would become the source NAT address of network "
        f"'{network}': no instance is made on that network before it",
        Location(change.file, change.line),
        f"CloudStack will not release a source NAT address once '{network}' is in use; "
        f"add an instance on '{network}' in the same change to keep the address the repo's",
    )


def _release(change: Change, before: Mapping[str, Any]) -> Diagnostic:
    return error(
        Code.SOURCE_NAT_RELEASE,
        f"public IP '{change.name}' ({before.get('address')}) is the source NAT address of "
        f"network '{before.get('network')}' and cannot be released while the network is in use",
        Location(change.file, change.line),
        "keep it in the repo, or delete its network in the same change: CloudStack releases "
        "it only with its network",
    )
