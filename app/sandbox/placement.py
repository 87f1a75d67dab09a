"""Which host a starting VM runs on: DeploymentPlanningManagerImpl over the zone's hosts, with
the host anti-affinity processor's avoid set and the host affinity processor's preferred hosts;
no host left is VirtualMachineManagerImpl's InsufficientServerCapacityException."""

from __future__ import annotations

from app.sandbox.errors import INSUFFICIENT_CAPACITY, ApiError
from app.sandbox.store import CloudState, Row

# DeployVMCmd / StartVMCmd add this when affinity groups were applied to the plan
AFFINITY_HINT = (
    ", Please check the affinity groups provided, there may not be sufficient capacity to "
    "follow them"
)


def _hosts_of_group_vms(state: CloudState, vm: Row, kind: str) -> set[str]:
    """Hosts running the other VMs of ``vm``'s groups of ``kind`` (a stopped VM has none)."""
    groups = [
        group
        for entry in vm["affinitygroup"]
        if (group := state.table("affinity_groups").get(entry["id"])) and group["type"] == kind
    ]
    hosts = set()
    for group in groups:
        for other_id in group["virtualmachineIds"]:
            other = state.table("vms").get(other_id)
            if other is not None and other_id != vm["id"] and other.get("hostid"):
                hosts.add(other["hostid"])
    return hosts


def place(state: CloudState, vm: Row, label: str) -> None:
    """Put ``vm`` (shown in errors as ``label``) on the first host its groups allow."""
    avoid = _hosts_of_group_vms(state, vm, "host anti-affinity")
    preferred = _hosts_of_group_vms(state, vm, "host affinity")
    host = next(
        (
            h
            for h in state.table("hosts")
            if h["zoneid"] == vm["zoneid"]
            and h["id"] not in avoid
            and (not preferred or h["id"] in preferred)
        ),
        None,
    )
    if host is None:
        hint = AFFINITY_HINT if vm["affinitygroup"] else ""
        raise ApiError(INSUFFICIENT_CAPACITY, f"Unable to create a deployment for {label}{hint}")
    vm.update(hostid=host["id"], hostname=host["name"])


def leave_host(vm: Row) -> None:
    """A stopped VM holds no host (VMInstanceVO.hostId is cleared)."""
    vm.pop("hostid", None)
    vm.pop("hostname", None)
