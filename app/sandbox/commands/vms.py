"""Virtual machines: deploy (async-create), lifecycle, update, destroy/expunge, list; their
service offering changes are in scaling.py."""

from __future__ import annotations

import ipaddress
import re
from typing import Any

from app.sandbox.accounting import GIB, require
from app.sandbox.affinity_groups import join, named_groups
from app.sandbox.api import Answer, Ctx, command
from app.sandbox.commands.addresses import implement
from app.sandbox.commands.networks import new_network, next_guest_ip
from app.sandbox.commands.volumes import attach, volume_row
from app.sandbox.errors import invalid_parameter, runtime_error
from app.sandbox.listing import list_body, public, visible
from app.sandbox.placement import place
from app.sandbox.security_groups import deploy_placement, set_groups, update_groups
from app.sandbox.store import Row

_HOSTNAME = re.compile(r"^(?!-)[A-Za-z][A-Za-z0-9-]{0,62}(?<!-)$")
HIDDEN_STATES = ("Destroyed", "Expunging")


def vm_row(
    ctx: Ctx, name: str, offering: Row, template: Row, zone: Row, project: Row | None
) -> Row:
    return {
        "id": ctx.state.new_id(),
        "name": name,
        "displayname": ctx.request.get("displayname") or name,
        **ctx.owner_fields(project),
        "userid": ctx.state.account.user_id,
        "username": "stackgate",
        "created": ctx.state.timestamp(),
        "state": "Starting",
        "haenable": False,
        "zoneid": zone["id"],
        "zonename": zone["name"],
        "templateid": template["id"],
        "templatename": template["name"],
        "templatedisplaytext": template["displaytext"],
        "passwordenabled": False,
        "serviceofferingid": offering["id"],
        "serviceofferingname": offering["name"],
        "cpunumber": offering["cpunumber"],
        "cpuspeed": offering["cpuspeed"],
        "memory": offering["memory"],
        "cpuused": "0%",
        "networkkbsread": 0,
        "networkkbswrite": 0,
        "diskkbsread": 0,
        "diskkbswrite": 0,
        "memorykbs": 0,
        "memoryintfreekbs": 0,
        "memorytargetkbs": 0,
        "diskioread": 0,
        "diskiowrite": 0,
        "guestosid": template["ostypeid"],
        "rootdeviceid": 0,
        "rootdevicetype": "ROOT",
        "securitygroup": [],
        "nic": [],
        "hypervisor": "Simulator",
        "instancename": f"i-2-{ctx.state.next_number('vms')}-VM",
        "details": {},
        "affinitygroup": [],
        "displayvm": True,
        "isdynamicallyscalable": offering["dynamicscalingenabled"],
        "ostypeid": template["ostypeid"],
        "osdisplayname": template["ostypename"],
        "bootmode": "legacy",
        "boottype": "Bios",
        "tags": [],
        "deleteprotection": False,
    }


def vm_label(vm: Row) -> str:
    """VMInstanceVO.toString(), as error texts show a VM."""
    number = vm["instancename"].split("-")[2]
    return (
        f'VM instance {{"id": "{number}", "name": "{vm["instancename"]}", "uuid": "{vm["id"]}", '
        '"type"="User"}'
    )


def _networks(ctx: Ctx, zone: Row, project: Row | None) -> list[Row]:
    owner = project["id"] if project else None
    chosen = [
        ctx.entity("networks", "networkids", value) for value in ctx.request.ids("networkids")
    ]
    for network in chosen:
        if network.get("projectid") != owner or network["zoneid"] != zone["id"]:
            raise invalid_parameter(
                f"Network {network['id']} can't be used by this vm: owner or zone differs"
            )
    if chosen:
        return chosen
    table = ctx.state.table("networks")
    mine = [
        n
        for n in table.in_project(owner or "")
        if n["zoneid"] == zone["id"] and n["type"] == "Isolated"
    ]
    if mine:
        return mine[:1]
    offering = next(
        o for o in ctx.state.table("network_offerings") if o["guestiptype"] == "Isolated"
    )
    default_name = f"{project['name'] if project else ctx.state.account.name}-network"
    cidr = ipaddress.ip_network("10.1.1.0/24")
    return [table.add(new_network(ctx, default_name, default_name, offering, zone, project, cidr))]


def _check_name(ctx: Ctx, name: str, networks: list[Row]) -> None:
    if not _HOSTNAME.match(name):
        raise invalid_parameter(
            "Invalid name. Vm name can contain ASCII letters 'a' through 'z', the digits '0' "
            "through '9', and the hyphen ('-'), must be between 1 and 63 characters long, and "
            "can't start or "
            'end with "-" and can\'t start with digit'
        )
    ids = {network["id"] for network in networks}
    for vm in ctx.state.table("vms"):
        if vm["name"].lower() == name.lower() and any(nic["networkid"] in ids for nic in vm["nic"]):
            network = next(
                n for n in networks if any(nic["networkid"] == n["id"] for nic in vm["nic"])
            )
            raise invalid_parameter(
                f"The vm with hostName {name} already exists in the network domain: "
                f"{network['networkdomain']}; network={network['name']}"
            )


def _keypair_names(ctx: Ctx) -> list[str]:
    """ResetVMSSHKeyCmd.getNames(): ``keypairs`` (4.17+), then the deprecated ``keypair``."""
    return [*ctx.request.ids("keypairs"), *ctx.request.ids("keypair")]


def _unknown_keypairs(ctx: Ctx, project: Row | None, names: list[str]) -> list[str]:
    owned = {
        k["name"] for k in ctx.state.table("keypairs").in_project(project["id"] if project else "")
    }
    return [name for name in names if name not in owned]


def _keypair(ctx: Ctx, project: Row | None) -> str | None:
    names = _keypair_names(ctx)
    unknown = _unknown_keypairs(ctx, project, names)
    if unknown:
        account = project["projectaccountname"] if project else ctx.state.account.name
        raise invalid_parameter(
            f"A key pair with name '{unknown[0]}' was not found for account {account}"
        )
    return ",".join(names) or None


@command("deployVirtualMachine")
def deploy_virtual_machine(ctx: Ctx) -> Answer:
    request = ctx.request
    offering = ctx.entity("service_offerings", "serviceofferingid")
    zone = ctx.entity("zones", "zoneid")
    if not request.get("templateid"):
        raise runtime_error("Either template ID or volume ID or snapshot ID must be specified")
    template = ctx.entity("templates", "templateid")
    if zone["id"] not in template["_zones"]:
        raise invalid_parameter(
            f"Template {template['name']} is not available in zone {zone['name']}"
        )
    project = ctx.project()
    placed = deploy_placement(ctx, zone, project)
    networks, security = placed or (_networks(ctx, zone, project), [])
    groups = named_groups(ctx, project)
    name = request.get("name") or f"VM-{ctx.state.new_id()}"
    _check_name(ctx, name, networks)
    keypairs = _keypair(ctx, project)
    root_gib = request.number("rootdisksize") or template["_root_gib"]
    if root_gib < template["_root_gib"]:
        raise invalid_parameter(f"Root disk size {root_gib}GB is smaller than the template size")
    needs = {0: 1, 8: offering["cpunumber"], 9: offering["memory"], 2: 1, 10: root_gib * GIB}
    require(ctx.state, project, needs)  # DeployVMCmd.create() rethrows: 535 with cserrorcode 9999
    vm = vm_row(ctx, name, offering, template, zone, project)
    if keypairs:
        vm["keypairs"] = keypairs
    vm["nic"] = [guest_nic(ctx, network, i == 0) for i, network in enumerate(networks)]
    join(vm, groups)
    set_groups(vm, security)
    ctx.state.table("vms").add(vm)
    root_volume(ctx, vm, root_gib, project)
    start = request.flag("startvm", default=True)

    def run() -> tuple[str, Row]:
        vm["state"] = "Stopped"  # created; a failed start leaves it so (Event.OperationFailed)
        if start:
            place(ctx.state, vm, vm_label(vm))
            for network in networks:
                implement(ctx.state, network)
            vm["state"] = "Running"
        return "virtualmachine", vm

    return ctx.submit(run, ("VirtualMachine", vm))


def guest_nic(ctx: Ctx, network: Row, default: bool) -> Row:
    vlan = f"vlan://{1000 + len(ctx.state.table('networks'))}"
    return {
        "id": ctx.state.new_id(),
        "networkid": network["id"],
        "networkname": network["name"],
        "netmask": network["netmask"],
        "gateway": network["gateway"],
        "ipaddress": next_guest_ip(network),
        "isolationuri": vlan,
        "broadcasturi": vlan,
        "traffictype": "Guest",
        "type": network["type"],
        "isdefault": default,
        "macaddress": "02:00:00:00:00:00",
        "secondaryip": [],
        "extradhcpoption": [],
    }


def root_volume(
    ctx: Ctx, vm: Row, size_gib: int, project: Row | None, zone: Row | None = None
) -> None:
    number = vm["instancename"].split("-")[2]
    root = volume_row(ctx, f"ROOT-{number}", "ROOT", size_gib, None, project, zone)
    root.update(state="Ready", serviceofferingid=vm["serviceofferingid"])
    attach(root, vm, 0, ctx.state.timestamp())
    ctx.state.table("volumes").add(root)


@command("resetSSHKeyForVirtualMachine")
def reset_ssh_key_for_virtual_machine(ctx: Ctx) -> Answer:
    """UserVmManagerImpl.resetVMSSHKey: its checks run in the job, in its order."""
    vm = ctx.entity("vms", "id")
    project, names = ctx.project(), _keypair_names(ctx)

    def run() -> tuple[str, Row]:
        if vm["state"] in ("Error", "Expunging"):
            raise invalid_parameter("Vm with specified id is not in the right state")
        if vm["state"] != "Stopped":
            raise invalid_parameter(f"Vm {vm_label(vm)} should be stopped to do SSH Key reset")
        if not names:
            raise invalid_parameter("'keypair' or 'keypairs' must be specified")
        if _unknown_keypairs(ctx, project, names):
            raise invalid_parameter("Not all specified keypairs exist")
        vm["keypairs"] = ",".join(names)
        return "virtualmachine", vm

    return ctx.submit(run, ("VirtualMachine", vm))


@command("updateVirtualMachine")
def update_virtual_machine(ctx: Ctx) -> dict[str, Any]:
    vm = ctx.entity("vms", "id")
    update_groups(ctx, vm, ctx.state.table("zones").rows[vm["zoneid"]])
    for key in ("displayname", "name", "group", "userdata"):
        if ctx.request.get(key) is not None:
            vm[key] = ctx.request.get(key)
    for flag in ("haenable", "isdynamicallyscalable", "deleteprotection"):
        if ctx.request.get(flag) is not None:
            vm[flag] = ctx.request.flag(flag)
    return {"virtualmachine": public(vm)}


@command("listVirtualMachines")
def list_virtual_machines(ctx: Ctx) -> dict[str, Any]:
    request = ctx.request
    wanted = {key: request.get(key) for key in ("zoneid", "templateid", "serviceofferingid")}
    state, network, keypair = request.get("state"), request.get("networkid"), request.get("keypair")

    def keep(vm: Row) -> bool:
        return (
            vm["state"] not in HIDDEN_STATES
            and all(not value or vm[key] == value for key, value in wanted.items())
            and (not state or state == "Present" or vm["state"].lower() == state.lower())
            and (not network or any(nic["networkid"] == network for nic in vm["nic"]))
            and (not keypair or keypair in vm.get("keypairs", "").split(","))
        )

    rows = visible(ctx.state, request, ctx.state.table("vms"))
    return list_body(request, "virtualmachine", rows, keep, exact_name=False)
