"""A VM's power and life after deploy (UserVmManagerImpl): start, stop, reboot, destroy,
expunge (its rules, static NAT and group memberships go with it) and recover."""

from __future__ import annotations

from typing import Any

from app.sandbox.affinity_groups import leave_all
from app.sandbox.api import Answer, Ctx, command
from app.sandbox.commands.addresses import implement
from app.sandbox.commands.rules import close_related
from app.sandbox.commands.snapshot_policies import drop_volume
from app.sandbox.commands.staticnat import release_static_nat
from app.sandbox.commands.vms import vm_label
from app.sandbox.errors import INTERNAL_ERROR, ApiError, invalid_parameter, runtime_error
from app.sandbox.listing import public
from app.sandbox.placement import leave_host, place
from app.sandbox.store import Row


def _job(ctx: Ctx, vm: Row, final: str | None, check: str | None = None) -> Answer:
    def run() -> tuple[str, Row]:
        if check == "running" and vm["state"] == "Running":
            raise invalid_parameter(
                f"The virtual machine {vm['id']} ({vm['name']}) is already running"
            )
        if check == "stopped" and vm["state"] != "Running":
            raise runtime_error(f"Unable to reboot VM {vm['name']}: it is not Running")
        if final == "Running" and not vm.get("hostid"):
            place(ctx.state, vm, vm_label(vm))
        if final == "Stopped":
            leave_host(vm)
        if final:
            vm["state"] = final
        if final == "Running":
            for nic in vm["nic"]:
                implement(ctx.state, ctx.state.table("networks").rows[nic["networkid"]])
        return "virtualmachine", vm

    return ctx.submit(run, ("VirtualMachine", vm))


@command("startVirtualMachine")
def start_virtual_machine(ctx: Ctx) -> Answer:
    return _job(ctx, ctx.entity("vms", "id"), "Running", check="running")


@command("stopVirtualMachine")
def stop_virtual_machine(ctx: Ctx) -> Answer:
    return _job(ctx, ctx.entity("vms", "id"), "Stopped")


@command("rebootVirtualMachine")
def reboot_virtual_machine(ctx: Ctx) -> Answer:
    return _job(ctx, ctx.entity("vms", "id"), "Running", check="stopped")


@command("destroyVirtualMachine")
def destroy_virtual_machine(ctx: Ctx) -> Answer:
    vm = ctx.entity("vms", "id")
    expunge = ctx.request.flag("expunge")
    doomed = [ctx.entity("volumes", "volumeids", value) for value in ctx.request.ids("volumeids")]

    def run() -> tuple[str, Row]:
        for volume in doomed:
            drop_volume(ctx.state, volume["id"])
        if vm["state"] != "Destroyed":
            vm["state"] = "Destroyed"
            leave_host(vm)
            _release_disks(ctx, vm)
        if expunge:
            expunged(ctx, vm)
        return "virtualmachine", vm

    return ctx.submit(run, ("VirtualMachine", vm))


def _release_disks(ctx: Ctx, vm: Row) -> None:
    for volume in ctx.state.table("volumes").in_project(vm.get("projectid", "")):
        if volume.get("virtualmachineid") == vm["id"] and volume["type"] == "DATADISK":
            for key in (
                "virtualmachineid",
                "vmname",
                "vmdisplayname",
                "vmstate",
                "deviceid",
                "attached",
            ):
                volume.pop(key, None)


def expunged(ctx: Ctx, vm: Row) -> None:
    for volume in ctx.state.table("volumes").in_project(vm.get("projectid", "")):
        if volume.get("virtualmachineid") == vm["id"]:
            drop_volume(ctx.state, volume["id"])
    for rule in ctx.state.table("port_forwards"):
        if rule.get("virtualmachineid") == vm["id"]:
            ctx.state.table("port_forwards").remove(rule["id"])
            close_related(ctx, rule)
    for balancer in ctx.state.table("load_balancers"):
        balancer["_members"] = [member for member in balancer["_members"] if member != vm["id"]]
    for address in ctx.state.table("ips"):  # cleanupVmResources: disableStaticNat per address
        if address.get("virtualmachineid") == vm["id"]:
            release_static_nat(address)
    leave_all(ctx, vm)  # AffinityGroupServiceImpl.postStateTransitionEvent on Expunging
    ctx.state.table("vms").remove(vm["id"])


@command("expungeVirtualMachine")
def expunge_virtual_machine(ctx: Ctx) -> Answer:
    vm = ctx.entity("vms", "id")
    if vm["state"] not in ("Destroyed", "Expunging", "Error"):
        raise ApiError(INTERNAL_ERROR, "Please destroy vm with specified vmId before expunge", 4250)

    def run() -> None:
        expunged(ctx, vm)

    return ctx.submit(run, ("VirtualMachine", vm))


@command("recoverVirtualMachine")
def recover_virtual_machine(ctx: Ctx) -> dict[str, Any]:
    vm = ctx.entity("vms", "id")
    if vm["state"] == "Destroyed":
        vm["state"] = "Stopped"
    return {"virtualmachine": public(vm)}
