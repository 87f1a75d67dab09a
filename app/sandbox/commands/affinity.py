"""Affinity groups (AffinityGroupServiceImpl): types, groups, and the groups of a stopped VM."""

from __future__ import annotations

from typing import Any

from app.sandbox.affinity_groups import ALL_TYPES, TYPES, join, leave_all, named_groups
from app.sandbox.api import Answer, Ctx, command
from app.sandbox.commands.vms import vm_label
from app.sandbox.errors import invalid_parameter
from app.sandbox.listing import list_body, page_body, visible
from app.sandbox.store import NO_PROJECT, Row


# ListAffinityGroupTypesCmd (BaseListCmd, sync): the object name is affinityGroupType.
@command("listAffinityGroupTypes")
def list_affinity_group_types(ctx: Ctx) -> dict[str, Any]:
    del ctx
    return page_body("affinityGroupType", len(TYPES), [{"type": name} for name in TYPES])


# CreateAffinityGroupCmd (BaseAsyncCreateCmd): create() runs createAffinityGroup at once
# (type, then the name unique in the owner's account); execute() only answers.
@command("createAffinityGroup")
def create_affinity_group(ctx: Ctx) -> Answer:
    request = ctx.request
    kind, name = request.require("type"), request.require("name")
    if kind not in ALL_TYPES:
        raise invalid_parameter(
            f"Unable to create affinity group, invalid affinity group type: {kind}. Valid values "
            f"are {','.join(ALL_TYPES)}"
        )
    project = ctx.project()
    table = ctx.state.table("affinity_groups")
    if any(g["name"] == name for g in table.in_project(project["id"] if project else NO_PROJECT)):
        raise invalid_parameter(
            f"Unable to create affinity group, a group with name {name} already exists."
        )
    group = table.add(
        {
            "id": ctx.state.new_id(),
            "name": name,
            "description": request.get("description") or name,
            "type": kind,
            "virtualmachineIds": [],
            **ctx.owner_fields(project),
        }
    )

    def run() -> tuple[str, Row]:
        return "affinitygroup", group

    return ctx.submit(run, ("AffinityGroup", group))


# ListAffinityGroupsCmd (BaseListProjectAndAccountResourcesCmd, sync).
@command("listAffinityGroups")
def list_affinity_groups(ctx: Ctx) -> dict[str, Any]:
    kind, vm = ctx.request.get("type"), ctx.request.get("virtualmachineid")

    def keep(group: Row) -> bool:
        return (not kind or group["type"] == kind) and (not vm or vm in group["virtualmachineIds"])

    rows = visible(ctx.state, ctx.request, ctx.state.table("affinity_groups"))
    return list_body(ctx.request, "affinitygroup", rows, keep)


# DeleteAffinityGroupCmd (BaseAsyncCmd): by id or by name in the owner's account; its VMs
# leave the group (deleteAffinityGroup removes the VM map rows, it does not refuse).
@command("deleteAffinityGroup")
def delete_affinity_group(ctx: Ctx) -> Answer:
    request = ctx.request
    project = ctx.project()
    if request.get("id"):
        group = ctx.entity("affinity_groups", "id")
    elif request.get("name"):
        mine = project["id"] if project else NO_PROJECT
        table = ctx.state.table("affinity_groups")
        found = next((g for g in table.in_project(mine) if g["name"] == request.get("name")), None)
        if found is None:
            raise invalid_parameter(f"Unable to find affinity group {request.get('name')}")
        group = found
    else:
        raise invalid_parameter(
            "Either the affinity group Id or group name must be specified to delete the group"
        )

    def run() -> None:
        for vm_id in group["virtualmachineIds"]:
            vm = ctx.state.table("vms").get(vm_id)
            if vm is not None:
                vm["affinitygroup"] = [g for g in vm["affinitygroup"] if g["id"] != group["id"]]
        ctx.state.table("affinity_groups").remove(group["id"])

    return ctx.submit(run, ("AffinityGroup", group))


# UpdateVMAffinityGroupCmd (BaseAsyncCmd): AffinityGroupServiceImpl.updateVMAffinityGroups,
# in the job: only a stopped VM; its groups replaced by those named (none clears them).
@command("updateVMAffinityGroup")
def update_vm_affinity_group(ctx: Ctx) -> Answer:
    vm = ctx.entity("vms", "id")
    project = ctx.state.table("projects").get(vm.get("projectid", ""))
    groups = named_groups(ctx, project)

    def run() -> tuple[str, Row]:
        if vm["state"] != "Stopped":
            raise invalid_parameter(
                f"Unable update affinity groups of the virtual machine {vm_label(vm)} in state "
                f"{vm['state']}; make sure the virtual machine is stopped and not in an error "
                "state before updating."
            )
        leave_all(ctx, vm)
        join(vm, groups)
        return "virtualmachine", vm

    return ctx.submit(run, ("VirtualMachine", vm))
