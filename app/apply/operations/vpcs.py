"""VPCs: createVPC (CreateVPCCmd, async create), updateVPC (UpdateVPCCmd, async: its display
text) and deleteVPC (DeleteVPCCmd, async; CloudStack refuses it while tiers remain, and
releases the VPC's addresses and ACL lists with it).

createVPC takes name, displaytext (the description, else the name: the inventory shows an
empty description then), vpcofferingid, zoneid, cidr and projectid; a VPC is named, so one
that a crash left untagged is found by its name and finished.
"""

from __future__ import annotations

from typing import Any

from app.apply.operations.base import Context, Submitted
from app.apply.operations.common import (
    KINDS,
    Delete,
    Operations,
    after,
    catalog_id,
    display_text,
    live_id,
    retag,
    row,
    zone_id,
)
from app.apply.operations.create import Create
from app.apply.operations.tags import wanted_tags
from app.cloudstack.catalog import tag_map
from app.cloudstack.vpc_reading import ACL_TAG
from app.plan.model import Action, Change


class CreateVpc(Create):
    kind_name = "vpc"
    command = "createVPC"

    def params(self, ctx: Context, change: Change) -> dict[str, Any]:
        fields = after(change)
        offerings = ctx.catalog.vpc_offerings
        return {
            "name": change.name,
            "displaytext": display_text(change),
            "vpcofferingid": catalog_id(ctx, offerings, fields["offering"], self.command),
            "zoneid": zone_id(ctx, change, self.command),
            "cidr": fields["cidr"],
            "projectid": ctx.project_id,
        }


class UpdateVpc:
    """The description through updateVPC (only when it changed), labels and protection
    through the tags; the VPC's records of its ACL lists stay."""

    def submit(self, ctx: Context, change: Change) -> Submitted:
        vpc = live_id(ctx, change, "updateVPC")
        if "description" not in {field.field for field in change.changed}:
            return Submitted(resource_id=vpc)
        answer = ctx.client.request("updateVPC", id=vpc, displaytext=display_text(change))
        return Submitted(str(answer["jobid"]) if answer.get("jobid") else None, vpc)

    def finish(
        self, ctx: Context, change: Change, _submitted: Submitted, _result: dict[str, Any]
    ) -> str | None:
        vpc = live_id(ctx, change, "updateVPC")
        current = tag_map(row(ctx, KINDS["vpc"], vpc) or {})
        lists = {key: value for key, value in current.items() if key.startswith(ACL_TAG)}
        retag(ctx, KINDS["vpc"], change, vpc, wanted_tags(ctx, change, lists))  # lists kept
        return vpc

    def find(self, _ctx: Context, _change: Change) -> str | None:
        return None  # not known to be done; sending the update again is harmless


OPERATIONS: Operations = {
    ("vpc", Action.CREATE): CreateVpc(),
    ("vpc", Action.UPDATE): UpdateVpc(),
    ("vpc", Action.DELETE): Delete(KINDS["vpc"], "deleteVPC"),
}
