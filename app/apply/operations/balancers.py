"""Load-balancer rules: createLoadBalancerRule (async create), members, updates, delete.

createLoadBalancerRule: name, publicipid, algorithm, protocol, publicport, privateport,
cidrlist, openfirewall=false (see rules.py). Members are set in ``finish`` with
assignToLoadBalancerRule / removeFromLoadBalancerRule (id, virtualmachineids) against
listLoadBalancerRuleInstances, and recorded in the ``stackgate.members`` tag, which is what
the inventory reads. An update changes members and tags, and the algorithm with
updateLoadBalancerRule (id, algorithm).
"""

from __future__ import annotations

from typing import Any

from app.apply.operations.base import Context, Submitted
from app.apply.operations.common import (
    KINDS,
    Delete,
    Operations,
    after,
    live_id,
    on_tier,
    ref,
    retag,
)
from app.apply.operations.create import Create
from app.apply.operations.tags import wanted_tags
from app.cloudstack.inventory import TAG_MEMBERS
from app.plan.model import Action, Change

BALANCERS = KINDS["load_balancer"]


def _tags(ctx: Context, change: Change) -> dict[str, str]:
    return wanted_tags(ctx, change, {TAG_MEMBERS: ",".join(sorted(after(change)["members"]))})


def _set_members(ctx: Context, change: Change, balancer: str) -> None:
    command = "assignToLoadBalancerRule"
    wanted = {ref(ctx, "instance", name, command) for name in after(change)["members"]}
    rows = ctx.client.list("listLoadBalancerRuleInstances", id=balancer)
    current = {str(vm["id"]) for vm in rows}
    for command, ids in (
        ("assignToLoadBalancerRule", wanted - current),
        ("removeFromLoadBalancerRule", current - wanted),
    ):
        if ids:
            ctx.client.run(command, id=balancer, virtualmachineids=",".join(sorted(ids)))


class CreateBalancer(Create):
    kind_name = "load_balancer"
    command = "createLoadBalancerRule"

    def params(self, ctx: Context, change: Change) -> dict[str, Any]:
        fields = after(change)
        cidrs = {"cidrlist": ",".join(fields["cidrs"])} if fields.get("cidrs") else {}
        return {
            "name": change.name,
            "publicipid": ref(ctx, "public_ip", fields["ip"], self.command),
            "algorithm": fields["algorithm"],
            "protocol": fields["protocol"],
            "publicport": fields["public_port"],
            "privateport": fields["private_port"],
            "openfirewall": "false",
            **cidrs,
            **on_tier(ctx, change, self.command),
        }

    def follow_up(self, ctx: Context, change: Change, obj: dict[str, Any]) -> None:
        _set_members(ctx, change, str(obj["id"]))

    def tags(self, ctx: Context, change: Change) -> dict[str, str]:
        return _tags(ctx, change)


class UpdateBalancer:
    def submit(self, ctx: Context, change: Change) -> Submitted:
        balancer = live_id(ctx, change, "updateLoadBalancerRule")
        if not any(field.field == "algorithm" for field in change.changed):
            return Submitted(resource_id=balancer)
        answer = ctx.client.request(
            "updateLoadBalancerRule", id=balancer, algorithm=after(change)["algorithm"]
        )
        return Submitted(str(answer["jobid"]) if answer.get("jobid") else None, balancer)

    def finish(
        self, ctx: Context, change: Change, _submitted: Submitted, _result: dict[str, Any]
    ) -> str | None:
        balancer = live_id(ctx, change, "updateLoadBalancerRule")
        _set_members(ctx, change, balancer)
        retag(ctx, BALANCERS, change, balancer, _tags(ctx, change))
        return balancer

    def find(self, _ctx: Context, _change: Change) -> str | None:
        return None  # not known to be done; members and tags are set idempotently again


OPERATIONS: Operations = {
    ("load_balancer", Action.CREATE): CreateBalancer(),
    ("load_balancer", Action.UPDATE): UpdateBalancer(),
    ("load_balancer", Action.DELETE): Delete(BALANCERS, "deleteLoadBalancerRule"),
}
