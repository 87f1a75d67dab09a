"""Security groups: createSecurityGroup (sync), their rules by authorizeSecurityGroupIngress /
Egress (async, one CIDR or peer group each) and revokeSecurityGroupIngress / Egress (async,
by rule id), deleteSecurityGroup (sync), tags on the group (resource type SecurityGroup).

A group's update brings its rules to the repo's rule by rule: what is missing is authorized
first, then what the repo no longer has is revoked, so a rule that moves to another CIDR never
leaves a moment with neither. Each step lists the group first, so a resumed create, update or
adopt only sends what is still missing. CloudStack refuses a rule naming a group that does not
exist yet (431): a new group's rules naming another group come in an update of their own,
after every group of the run is made (app/apply/steps.py), so its create never waits for a
peer and a tagged group may lack only those rules until that step. deleteSecurityGroup takes
the group's own rules with it, and is refused (536) while a VM or another group's rule uses it.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from app.apply.operations.adopt import Adopt
from app.apply.operations.base import Context, Submitted
from app.apply.operations.common import (
    Delete,
    Kind,
    Operations,
    Unresolved,
    after,
    live_id,
    ports,
    ref,
    retag,
    row,
)
from app.apply.operations.create import Create
from app.cloudstack.sg_reading import DEFAULT_GROUP, DIRECTIONS, group_rule
from app.plan.model import Action, Change

GROUP = Kind("listSecurityGroups", "SecurityGroup", "securitygroup", named=True)


def _authorize(ctx: Context, group: dict[str, Any], direction: str, rule: dict[str, Any]) -> None:
    params: dict[str, Any] = {"securitygroupid": group["id"], "protocol": rule["protocol"]}
    if rule["protocol"] == "icmp":
        params.update(icmptype=rule["icmp_type"], icmpcode=rule["icmp_code"])
    elif rule["protocol"] != "all":
        params["startport"], params["endport"] = ports(rule["ports"])  # the spec requires them
    if rule["group"]:  # a peer group of the same project: its account is the group's
        params["usersecuritygrouplist"] = [{"group": rule["group"], "account": group["account"]}]
    else:
        params["cidrlist"] = ",".join(rule["cidrs"])
    ctx.client.run(f"authorizeSecurityGroup{direction.capitalize()}", **params)


def sync_rules(ctx: Context, change: Change, group: dict[str, Any]) -> None:
    """Authorize the repo's rules the group lacks, then revoke the ones the repo dropped."""
    wanted = after(change)
    for direction in DIRECTIONS:
        live = [(group_rule(rule), rule["ruleid"]) for rule in group.get(f"{direction}rule") or []]
        have = [fields for fields, _ in live]
        for rule in wanted.get(direction, []):
            if rule not in have:
                _authorize(ctx, group, direction, rule)
        for fields, rule_id in live:
            if fields not in wanted.get(direction, []):
                ctx.client.run(f"revokeSecurityGroup{direction.capitalize()}", id=rule_id)


class CreateGroup(Create):
    kind_name = "security_group"
    command = "createSecurityGroup"

    @property
    def kind(self) -> Kind:
        return GROUP

    def params(self, ctx: Context, change: Change) -> dict[str, Any]:
        description = after(change).get("description")
        return {
            "name": change.name,
            "projectid": ctx.project_id,
            **({"description": description} if description else {}),
        }

    def follow_up(self, ctx: Context, change: Change, obj: dict[str, Any]) -> None:
        sync_rules(ctx, change, obj)


class UpdateGroup:
    """Rules, labels and protection of a live group (and the adopt of an untagged one)."""

    def submit(self, ctx: Context, change: Change) -> Submitted:
        return Submitted(resource_id=_group_id(ctx, change))

    def finish(
        self, ctx: Context, change: Change, _submitted: Submitted, _result: dict[str, Any]
    ) -> str | None:
        group_id = _group_id(ctx, change)
        group = row(ctx, GROUP, group_id)
        if group is None:
            raise Unresolved(ctx.client.cloud, "listSecurityGroups", f"{change.address} is gone")
        sync_rules(ctx, change, group)
        retag(ctx, GROUP, change, group_id)  # last: a tagged group has its rules
        return group_id

    def find(self, _ctx: Context, _change: Change) -> str | None:
        return None  # the rules and tags are compared before each call: running it is harmless


def _group_id(ctx: Context, change: Change) -> str:
    """The live group's, or the one this run made: a new group's rules naming other groups
    are authorized by an update after its create (app/apply/steps.py)."""
    return change.live_id or ref(
        ctx, "security_group", change.name, "authorizeSecurityGroupIngress"
    )


class DeleteGroup(Delete):
    """deleteSecurityGroup is refused while a VM is in the group, and deletes run before the
    updates of the instances that stay: an instance the repo takes out of the group is moved
    to its new groups first (stopped for it, and started again), so its own update then
    finds them right and stops it no more."""

    def submit(self, ctx: Context, change: Change) -> Submitted:
        group = row(ctx, GROUP, live_id(ctx, change, self.command))
        for vm_id in (group or {}).get("virtualmachineids") or []:
            _leave(ctx, change, str(vm_id))
        return super().submit(ctx, change)


def _leave(ctx: Context, change: Change, vm_id: str) -> None:
    vm = next(iter(ctx.client.list("listVirtualMachines", id=vm_id, projectid=ctx.project_id)))
    instance = ctx.desired.instances.get(str(vm["name"])) if ctx.desired else None
    if instance is None or change.name in instance.security_groups:
        return  # not the repo's to move: CloudStack's refusal says why
    staying = instance.security_groups or [DEFAULT_GROUP]
    moved = replace(change, after={"security_groups": staying})
    groups = vm_groups(ctx, moved, "updateVirtualMachine")
    if vm["state"] == "Running":
        ctx.client.run("stopVirtualMachine", id=vm_id)
    ctx.client.request("updateVirtualMachine", id=vm_id, securitygroupids=groups)
    if vm["state"] == "Running":
        ctx.client.run("startVirtualMachine", id=vm_id)


OPERATIONS: Operations = {
    ("security_group", Action.CREATE): CreateGroup(),
    ("security_group", Action.UPDATE): UpdateGroup(),
    ("security_group", Action.ADOPT): Adopt({Action.UPDATE: UpdateGroup()}),
    ("security_group", Action.DELETE): DeleteGroup(GROUP, "deleteSecurityGroup"),
}


def vm_groups(ctx: Context, change: Change, command: str) -> str | None:
    """The ids of the groups an instance names, comma-separated (DeployVMCmd and
    updateVirtualMachine take ``securitygroupids``): listed once, as ``default`` is
    CloudStack's and known by no id of the plan's; None when it names none."""
    names = after(change).get("security_groups") or []
    if not names:
        return None
    listed = ctx.client.list(GROUP.list_command, projectid=ctx.project_id)
    ids = {str(group["name"]): str(group["id"]) for group in listed}
    missing = [name for name in names if name not in ids]
    if missing:
        raise Unresolved(ctx.client.cloud, command, f"no security group {', '.join(missing)}")
    return ",".join(ids[name] for name in names)


def new_vm_groups(vm: dict[str, Any], change: Change) -> bool:
    """Whether the instance's groups differ from the ones the repo names (if it names any)."""
    wanted = after(change).get("security_groups")
    listed = sorted(str(group.get("name")) for group in vm.get("securitygroup") or [])
    return wanted is not None and listed != sorted(wanted)
