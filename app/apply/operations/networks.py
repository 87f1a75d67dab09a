"""Isolated networks: createNetwork (sync), updateNetwork and deleteNetwork (async).

createNetwork: name, displaytext (the description, else the name: the inventory shows an
empty description then), networkofferingid, zoneid, projectid, and gateway + netmask taken
from the CIDR (first host as gateway). Real CloudStack takes gateway/netmask for isolated
networks only when the offering does not specify IP ranges; the sandbox always does.
updateNetwork sends displaytext and, for a new offering, networkofferingid; the sandbox
ignores networkofferingid, so an offering change converges only on a real cloud.

A VPC tier is a network too: createNetwork (CreateNetworkCmd) with vpcid, aclid and the
tier's own gateway and netmask; a tier moves to another ACL list in place with
replaceNetworkACLList (ReplaceNetworkACLListCmd, async).
"""

from __future__ import annotations

import ipaddress
from typing import Any

from app.apply.operations.acls import acl_id
from app.apply.operations.base import Context, Submitted
from app.apply.operations.common import (
    KINDS,
    Delete,
    Operations,
    after,
    catalog_id,
    display_text,
    live_id,
    ref,
    retag,
    zone_id,
)
from app.apply.operations.create import Create
from app.plan.model import Action, Change


class CreateNetwork(Create):
    kind_name = "network"
    command = "createNetwork"

    def params(self, ctx: Context, change: Change) -> dict[str, Any]:
        fields = after(change)
        cidr = ipaddress.ip_network(fields["cidr"])
        offerings = ctx.catalog.network_offerings
        return {
            "name": change.name,
            "displaytext": display_text(change),
            "networkofferingid": catalog_id(ctx, offerings, fields["offering"], self.command),
            "zoneid": zone_id(ctx, change, self.command),
            "projectid": ctx.project_id,
            "gateway": str(next(cidr.hosts())),
            "netmask": str(cidr.netmask),
            **_tier(ctx, change, self.command),
        }


def _tier(ctx: Context, change: Change, command: str) -> dict[str, Any]:
    """What createNetwork takes for a VPC tier (nothing for an isolated network)."""
    fields = after(change)
    if not fields.get("vpc"):
        return {}
    vpc = ref(ctx, "vpc", fields["vpc"], command)
    return {
        "vpcid": vpc,
        "aclid": acl_id(ctx, fields["acl"], vpc, command),
        "gateway": fields["gateway"],
        "netmask": fields["netmask"],
    }


class UpdateNetwork:
    """Description and offering through updateNetwork (only when they changed), labels and
    protection through the tags."""

    def submit(self, ctx: Context, change: Change) -> Submitted:
        network = live_id(ctx, change, "updateNetwork")
        changed = {field.field for field in change.changed}
        params: dict[str, Any] = {}
        if "description" in changed:
            params["displaytext"] = display_text(change)
        if "offering" in changed:
            offerings = ctx.catalog.network_offerings
            offering = after(change)["offering"]
            params["networkofferingid"] = catalog_id(ctx, offerings, offering, "updateNetwork")
        if not params:
            return Submitted(resource_id=network)
        answer = ctx.client.request("updateNetwork", id=network, **params)
        return Submitted(str(answer["jobid"]) if answer.get("jobid") else None, network)

    def finish(
        self, ctx: Context, change: Change, _submitted: Submitted, _result: dict[str, Any]
    ) -> str | None:
        network = live_id(ctx, change, "updateNetwork")
        if "acl" in {field.field for field in change.changed}:  # the same list again is harmless
            vpc = ref(ctx, "vpc", after(change)["vpc"], "replaceNetworkACLList")
            acl = acl_id(ctx, after(change)["acl"], vpc, "replaceNetworkACLList")
            ctx.client.run("replaceNetworkACLList", aclid=acl, networkid=network)
        retag(ctx, KINDS["network"], change, network)
        return network

    def find(self, _ctx: Context, _change: Change) -> str | None:
        return None  # not known to be done; sending the update again is harmless


OPERATIONS: Operations = {
    ("network", Action.CREATE): CreateNetwork(),
    ("network", Action.UPDATE): UpdateNetwork(),
    ("network", Action.DELETE): Delete(KINDS["network"], "deleteNetwork"),
}
