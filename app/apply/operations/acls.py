"""Network ACL lists and their rules, which filter a VPC tier's traffic.

Lists: createNetworkACLList (CreateNetworkACLListCmd, async create: name, description,
vpcid), updateNetworkACLList (UpdateNetworkACLListCmd, async: the description, in place) and
deleteNetworkACLList (DeleteNetworkACLListCmd, async; refused while a tier uses the list).
A list takes no tags: its VPC records it in a ``stackgate.acl.<name>`` tag, written last
(app/cloudstack/vpc_reading.py), so a list a crash left behind is found by its name in its
VPC and finished, and an adopted list is recorded.

Rules: createNetworkACL (CreateNetworkACLCmd, async create: aclid, number, action,
traffictype, protocol, ports or ICMP type/code, cidrlist), updateNetworkACLItem
(UpdateNetworkACLItemCmd, async: the rule changed where it is, keeping its id and number) and
deleteNetworkACL (DeleteNetworkACLCmd, async). A rule's number is its identity in its list,
so one a crash left untagged is found by that number.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.apply.operations.adopt import Adopt
from app.apply.operations.base import Context, Submitted
from app.apply.operations.common import (
    KINDS,
    Delete,
    Kind,
    Operations,
    Unresolved,
    after,
    display_text,
    find_tagged,
    live_id,
    ports,
    ref,
    retag,
)
from app.apply.operations.create import Create
from app.apply.operations.tags import sync_tags
from app.cloudstack.catalog import tag_map
from app.cloudstack.inventory import TAG_KEY
from app.cloudstack.vpc_reading import ACL_TAG
from app.plan.model import Action, Change

ACL_LIST = Kind("listNetworkACLLists", "", "networkacllist", named=True)  # takes no tags


def acl_id(ctx: Context, name: str, vpc_id: str, command: str) -> str:
    """The id of the ACL list a tier names: the repo's (read or made earlier), or one of the
    lists every VPC has (default_allow, default_deny), which belong to no VPC."""
    known = ctx.ids.get(f"network_acl/{name}")
    if known is not None:
        return known
    rows = ctx.client.list("listNetworkACLLists", name=name, projectid=ctx.project_id)
    found = [r for r in rows if r.get("name") == name and r.get("vpcid") in (None, "", vpc_id)]
    if not found:
        raise Unresolved(ctx.client.cloud, command, f"no ACL list '{name}' in the VPC")
    return str(found[0]["id"])


def _vpc(ctx: Context, change: Change) -> str | None:
    return ctx.ids.get(f"vpc/{after(change).get('vpc') or (change.before or {}).get('vpc')}")


def _record(ctx: Context, change: Change, ours: bool) -> None:
    """Add or remove the VPC's record of this list; the VPC's other tags stay."""
    vpc = _vpc(ctx, change)
    if vpc is None:
        return
    tag = ACL_TAG + change.name
    rows = ctx.client.list("listVPCs", id=vpc, projectid=ctx.project_id)
    current = {k: v for k, v in tag_map(rows[0] if rows else {}).items() if k == tag}
    sync_tags(ctx, "Vpc", vpc, current, {tag: ctx.repo} if ours else {})


def _list_in_vpc(ctx: Context, change: Change) -> str | None:
    vpc = _vpc(ctx, change)
    if vpc is None:
        return None
    rows = ctx.client.list("listNetworkACLLists", vpcid=vpc, name=change.name)
    return next((str(r["id"]) for r in rows if r.get("name") == change.name), None)


class CreateAclList:
    def submit(self, ctx: Context, change: Change) -> Submitted:
        fields = after(change)
        answer = ctx.client.request(
            "createNetworkACLList",
            name=change.name,
            description=display_text(change),
            vpcid=ref(ctx, "vpc", fields["vpc"], "createNetworkACLList"),
        )
        job = answer.get("jobid")
        return Submitted(str(job) if job else None, str(answer["id"]))

    def finish(
        self, ctx: Context, change: Change, submitted: Submitted, _result: dict[str, Any]
    ) -> str | None:
        _record(ctx, change, ours=True)
        return submitted.resource_id

    def find(self, ctx: Context, change: Change) -> str | None:
        return _list_in_vpc(ctx, change)


class UpdateAclList:
    """An ACL list's update or adoption: updateNetworkACLList when its description changed
    (its name is its identity in the VPC), then its VPC's record of it."""

    def submit(self, ctx: Context, change: Change) -> Submitted:
        acl = live_id(ctx, change, "updateNetworkACLList")
        if not any(field.field == "description" for field in change.changed):
            return Submitted(resource_id=acl)
        # a blank description CloudStack leaves as it was: none in the repo sends the name,
        # as the create does
        answer = ctx.client.request(
            "updateNetworkACLList", id=acl, description=display_text(change)
        )
        return Submitted(str(answer["jobid"]) if answer.get("jobid") else None, acl)

    def finish(
        self, ctx: Context, change: Change, submitted: Submitted, _result: dict[str, Any]
    ) -> str | None:
        _record(ctx, change, ours=True)
        return submitted.resource_id

    def find(self, _ctx: Context, _change: Change) -> str | None:
        return None  # describing and recording it again is harmless


@dataclass(frozen=True)
class DeleteAclList(Delete):
    """deleteNetworkACLList, then the VPC's record of the list goes."""

    def finish(
        self, ctx: Context, change: Change, _submitted: Submitted, _result: dict[str, Any]
    ) -> str | None:
        _record(ctx, change, ours=False)
        return None


def _rule_params(change: Change) -> dict[str, Any]:
    fields = after(change)
    params: dict[str, Any] = {
        "action": fields["action"],
        "traffictype": fields["traffic"],
        "protocol": fields["protocol"],
        "cidrlist": ",".join(fields["cidrs"]),
    }
    if fields.get("ports"):
        params["startport"], params["endport"] = ports(fields["ports"])
    if fields["protocol"] == "icmp":
        params["icmptype"], params["icmpcode"] = fields["icmp_type"], fields["icmp_code"]
    return params


class CreateAclRule(Create):
    kind_name = "network_acl_rule"
    command = "createNetworkACL"

    def params(self, ctx: Context, change: Change) -> dict[str, Any]:
        fields = after(change)
        acl = ref(ctx, "network_acl", fields["acl"], self.command)
        return {"aclid": acl, "number": fields["number"], **_rule_params(change)}

    def find(self, ctx: Context, change: Change) -> str | None:
        """Tagged, or untagged with this number in the list: a number is used once per list
        (validateAclRuleNumber), so that rule can only be this step's."""
        found = find_tagged(ctx, self.kind, change)
        acl = ctx.ids.get(f"network_acl/{after(change)['acl']}")
        if found or acl is None:
            return found
        rows = ctx.client.list("listNetworkACLs", aclid=acl, projectid=ctx.project_id)
        number = after(change)["number"]
        return next(
            (
                str(r["id"])
                for r in rows
                if int(r.get("number", 0)) == number and TAG_KEY not in tag_map(r)
            ),
            None,
        )


class UpdateAclRule:
    """updateNetworkACLItem with every field of the rule (only when one of them changed),
    then its tags."""

    def submit(self, ctx: Context, change: Change) -> Submitted:
        rule = live_id(ctx, change, "updateNetworkACLItem")
        if not {field.field for field in change.changed} - {"labels", "protected"}:
            return Submitted(resource_id=rule)
        answer = ctx.client.request("updateNetworkACLItem", id=rule, **_rule_params(change))
        return Submitted(str(answer["jobid"]) if answer.get("jobid") else None, rule)

    def finish(
        self, ctx: Context, change: Change, _submitted: Submitted, _result: dict[str, Any]
    ) -> str | None:
        rule = live_id(ctx, change, "updateNetworkACLItem")
        retag(ctx, KINDS["network_acl_rule"], change, rule)
        return rule

    def find(self, _ctx: Context, _change: Change) -> str | None:
        return None  # not known to be done; sending the update again is harmless


OPERATIONS: Operations = {
    ("network_acl", Action.CREATE): CreateAclList(),
    ("network_acl", Action.UPDATE): UpdateAclList(),
    ("network_acl", Action.ADOPT): Adopt({Action.UPDATE: UpdateAclList()}),
    ("network_acl", Action.DELETE): DeleteAclList(ACL_LIST, "deleteNetworkACLList"),
    ("network_acl_rule", Action.CREATE): CreateAclRule(),
    ("network_acl_rule", Action.UPDATE): UpdateAclRule(),
    ("network_acl_rule", Action.DELETE): Delete(KINDS["network_acl_rule"], "deleteNetworkACL"),
}
