"""Security groups as a VM meets them (UserVmManagerImpl): the groups a deploy or update names,
where a VM in a security group zone goes, and how groups and their rules are shown."""

from __future__ import annotations

from app.sandbox.api import Ctx
from app.sandbox.errors import invalid_parameter
from app.sandbox.sg_rows import DEFAULT_GROUP, add_default_group, has_security_groups
from app.sandbox.store import NO_PROJECT, CloudState, Row

NOT_IN_ZONE = "Can't create vm with security groups; security group feature is not enabled per zone"


def group_named(state: CloudState, name: str, project: Row | None) -> Row | None:
    """SecurityGroupDao.findByAccountAndName in the owner's account."""
    mine = project["id"] if project else NO_PROJECT
    table = state.table("security_groups")
    return next((g for g in table.in_project(mine) if g["name"] == name), None)


def named_groups(ctx: Ctx, project: Row | None) -> list[Row] | None:
    """UserVmManagerImpl.getSecurityGroupIdList: ids or names (in the owner's account), never
    both; None when the request names none."""
    ids, names = ctx.request.ids("securitygroupids"), ctx.request.ids("securitygroupnames")
    if ids and names:
        raise invalid_parameter(
            "securitygroupids parameter is mutually exclusive with securitygroupnames parameter"
        )
    groups = []
    for name in names:
        group = group_named(ctx.state, name, project)
        if group is None:
            raise invalid_parameter(f"Unable to find group by name {name}")
        groups.append(group)
    groups += [ctx.entity("security_groups", "securitygroupids", value) for value in ids]
    return groups or None


def network_text(state: CloudState, network: Row) -> str:
    """NetworkVO.toString, as error texts show a network."""
    offering = state.table("network_offerings").get(network["networkofferingid"]) or {}
    return (
        f'Network {{"id": {network.get("_number", 1)}, "name": "{network["name"]}", '
        f'"uuid": "{network["id"]}", "networkofferingid": {offering.get("_number", 1)}}}'
    )


def deploy_placement(
    ctx: Ctx, zone: Row, project: Row | None
) -> tuple[list[Row], list[Row]] | None:
    """UserVmManagerImpl.createAdvancedSecurityGroupVirtualMachine: the VM's networks (the
    zone's security group network unless some are named) and groups (the owner's ``default``
    when none are named and a network has the service). None outside a security group zone,
    where group ids are refused and names ignored (createAdvancedVirtualMachine)."""
    if not zone["securitygroupsenabled"]:
        if ctx.request.ids("securitygroupids"):
            raise invalid_parameter(NOT_IN_ZONE)
        return None
    groups = named_groups(ctx, project)
    networks = [ctx.entity("networks", "networkids", v) for v in ctx.request.ids("networkids")]
    if not networks:
        shared = next(
            (
                n
                for n in ctx.state.table("networks")
                if n["zoneid"] == zone["id"] and n["type"] == "Shared" and has_security_groups(n)
            ),
            None,
        )
        if shared is None:
            raise invalid_parameter(
                f"No network with security enabled is found in zone id={zone['id']}"
            )
        networks = [shared]
    elif groups:
        for network in networks:
            if not has_security_groups(network):
                raise invalid_parameter(
                    "Network is not security group enabled or not L2 network: "
                    + network_text(ctx.state, network)
                )
    elif any(network["type"] not in ("Shared", "L2") for network in networks):
        raise invalid_parameter(
            "Can specify only Shared or L2 Guest networks when deploy vm in Advance Security "
            "Group enabled zone"
        )
    if not groups and any(has_security_groups(network) for network in networks):
        found = group_named(ctx.state, DEFAULT_GROUP, project)
        groups = [found or add_default_group(ctx.state, project)]
    return networks, groups or []


def set_groups(vm: Row, groups: list[Row]) -> None:
    """The VM's ``securitygroup`` entries (SecurityGroupVMMapVO rows)."""
    vm["securitygroup"] = [
        {key: group[key] for key in ("id", "name", "description") if key in group}
        for group in groups
    ]


def update_groups(ctx: Ctx, vm: Row, zone: Row) -> None:
    """UpdateVMCmd's securitygroupids/names: UserVmManagerImpl.checkAndUpdateSecurityGroupForVM
    ignores them outside a security group zone and needs a stopped VM inside one."""
    project = ctx.state.table("projects").get(vm.get("projectid", ""))
    groups = named_groups(ctx, project)
    if groups is None or not zone["securitygroupsenabled"]:
        return
    if vm["state"] != "Stopped":
        raise invalid_parameter(f"VM {vm['id']} must be stopped prior to update security groups")
    set_groups(vm, groups)


def rule_view(state: CloudState, rule: Row) -> Row:
    """SecurityGroupRuleResponse, as createSecurityGroupResponseFromSecurityGroupRule fills it:
    ICMP type and code, or the port range; the CIDR, or the allowed group and its account."""
    view: Row = {"ruleid": rule["id"], "protocol": rule["protocol"]}
    if rule["protocol"] == "icmp":
        view.update(icmptype=rule["_start"], icmpcode=rule["_end"])
    else:
        view.update(startport=rule["_start"], endport=rule["_end"])
    allowed = state.table("security_groups").get(rule.get("_allowed", ""))
    if allowed is not None:
        view.update(securitygroupname=allowed["name"], account=allowed["account"])
    elif "_cidr" in rule:
        view["cidr"] = rule["_cidr"]
    view["tags"] = rule["tags"]
    return view


def group_view(state: CloudState, group: Row, only: list[Row] | None = None) -> Row:
    """SecurityGroupResponse: the group with its rules (``only`` those when given, as an
    authorize answers) and the VMs in it."""
    rules = only if only is not None else rules_of(state, group)
    vms = [
        vm["id"]
        for vm in state.table("vms")
        if any(entry["id"] == group["id"] for entry in vm["securitygroup"])
    ]
    view = {key: value for key, value in group.items() if not key.startswith("_")}
    for kind in ("ingress", "egress"):
        view[f"{kind}rule"] = [rule_view(state, r) for r in rules if r["_type"] == kind]
    view.update(virtualmachinecount=len(vms), virtualmachineids=vms)
    return view


def rules_of(state: CloudState, group: Row) -> list[Row]:
    return [r for r in state.table("security_group_rules") if r["_group"] == group["id"]]
