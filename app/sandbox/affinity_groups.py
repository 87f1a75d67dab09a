"""The affinity groups a VM names at deploy or update, shared by the VM and the affinity group
commands (which import each other's modules otherwise)."""

from __future__ import annotations

from app.sandbox.api import Ctx
from app.sandbox.errors import invalid_parameter
from app.sandbox.store import Row, owner

# The processors a default install lists (listAffinityGroupTypes leaves out the admin-only
# ExplicitDedication); the invalid-type text joins every processor's type.
TYPES = ("host anti-affinity", "host affinity")
ALL_TYPES = ("host anti-affinity", "ExplicitDedication", "host affinity")


def named_groups(ctx: Ctx, project: Row | None) -> list[Row]:
    """DeployVMCmd / UpdateVMAffinityGroupCmd.getAffinityGroupIdList: ids or names (in the
    owner's account), never both."""
    ids, names = ctx.request.ids("affinitygroupids"), ctx.request.ids("affinitygroupnames")
    if ids and names:
        raise invalid_parameter(
            "affinitygroupids parameter is mutually exclusive with affinitygroupnames parameter"
        )
    groups = [ctx.entity("affinity_groups", "affinitygroupids", value) for value in ids]
    mine = (project or {}).get("id", "")
    for name in names:
        group = next(
            (g for g in ctx.state.table("affinity_groups").in_project(mine) if g["name"] == name),
            None,
        )
        if group is None:
            raise invalid_parameter(f"Unable to find affinity group {name}")
        groups.append(group)
    for group in groups:
        if owner(group) != mine:
            raise invalid_parameter(
                f"Affinity group {group['name']} does not belong to the VM's account"
            )
    return groups


def join(vm: Row, groups: list[Row]) -> None:
    """The VM's ``affinitygroup`` entries and each group's ``virtualmachineIds``."""
    for group in groups:
        if vm["id"] not in group["virtualmachineIds"]:
            group["virtualmachineIds"].append(vm["id"])
    vm["affinitygroup"] = [
        {key: group[key] for key in ("id", "name", "type", "description") if key in group}
        for group in groups
    ]


def leave_all(ctx: Ctx, vm: Row) -> None:
    for group in ctx.state.table("affinity_groups"):
        if vm["id"] in group["virtualmachineIds"]:
            group["virtualmachineIds"].remove(vm["id"])
