"""A VM's service offering: changeServiceForVirtualMachine (stopped) and scaleVirtualMachine
(live scaling up, as UserVmManagerImpl.upgradeRunningVirtualMachine allows), within the
project's cpu and memory limits."""

from __future__ import annotations

from typing import Any

from app.sandbox.accounting import require
from app.sandbox.api import Answer, Ctx, command
from app.sandbox.commands.vms import vm_label
from app.sandbox.errors import invalid_parameter, runtime_error
from app.sandbox.listing import public
from app.sandbox.store import Row


def _resize(ctx: Ctx, vm: Row, offering: Row) -> None:
    project = ctx.state.table("projects").get(vm.get("projectid", ""))
    extra = {
        8: max(0, offering["cpunumber"] - vm["cpunumber"]),
        9: max(0, offering["memory"] - vm["memory"]),
    }
    require(ctx.state, project, extra, 4370)
    vm.update(
        serviceofferingid=offering["id"],
        serviceofferingname=offering["name"],
        cpunumber=offering["cpunumber"],
        cpuspeed=offering["cpuspeed"],
        memory=offering["memory"],
    )


@command("changeServiceForVirtualMachine")
def change_service_for_virtual_machine(ctx: Ctx) -> dict[str, Any]:
    vm = ctx.entity("vms", "id")
    offering = ctx.entity("service_offerings", "serviceofferingid")
    if vm["state"] != "Stopped":
        raise invalid_parameter(
            f"Unable to upgrade virtual machine {vm_label(vm)}  in state {vm['state']}; "
            "make sure the virtual machine is stopped"
        )
    _resize(ctx, vm, offering)
    return {"virtualmachine": public(vm)}


@command("scaleVirtualMachine")
def scale_virtual_machine(ctx: Ctx) -> Answer:
    vm = ctx.entity("vms", "id")
    offering = ctx.entity("service_offerings", "serviceofferingid")

    def run() -> tuple[str, Row]:
        if vm["state"] == "Running":
            _check_live_scaling(ctx, vm, offering)
        _resize(ctx, vm, offering)
        return "virtualmachine", vm

    return ctx.submit(run, ("VirtualMachine", vm))


def _check_live_scaling(ctx: Ctx, vm: Row, offering: Row) -> None:
    """UserVmManagerImpl.upgradeRunningVirtualMachine, in its order; the zone allows dynamic
    scaling (enable.dynamic.scale.vm=true, as in the simulator's setup)."""
    current = ctx.state.table("service_offerings").rows[vm["serviceofferingid"]]
    if offering["dynamicscalingenabled"] != current["dynamicscalingenabled"]:
        raise invalid_parameter(
            "Unable to Scale VM: since dynamic scaling enabled flag is not same for new service "
            "offering and old service offering"
        )
    new = (offering["memory"], offering["cpuspeed"], offering["cpunumber"])
    old = (current["memory"], current["cpuspeed"], current["cpunumber"])
    if any(n < o for n, o in zip(new, old, strict=True)) or new == old:
        raise invalid_parameter(
            "While the VM is running, only scalling up it is supported. New service offering "
            f'{{"memory": {new[0]}, "speed": {new[1]}, "cpu": {new[2]}}} should have at least one '
            "value (ram, speed or cpu) greater than the current values "
            f'{{"memory": {old[0]}, "speed": {old[1]}, "cpu": {old[2]}}}.'
        )
    if not vm["isdynamicallyscalable"]:
        raise runtime_error(
            f"Unable to scale {vm_label(vm)} as it does not have tools to support dynamic scaling."
        )
