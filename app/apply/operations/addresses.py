"""Public IP addresses: associateIpAddress (async create: networkid, projectid) and
disassociateIpAddress (async, by id).

An address has no name: one a crash left untagged is adopted only when it provably came from
that step's own request (app/apply/provenance.py), never because it is an untagged address on
the same network: one associated by hand there is left alone.
"""

from __future__ import annotations

from typing import Any, ClassVar

from app.apply.operations.base import Context
from app.apply.operations.common import KINDS, Delete, Operations, after, ref
from app.apply.operations.create import Create
from app.plan.model import Action, Change


class AssociateIp(Create):
    kind_name = "public_ip"
    command = "associateIpAddress"
    scope: ClassVar[dict[str, str]] = {"networkid": "associatednetworkid"}
    job_class = "org.apache.cloudstack.api.command.user.address.AssociateIPAddrCmd"

    def params(self, ctx: Context, change: Change) -> dict[str, Any]:
        network = ref(ctx, "network", after(change)["network"], self.command)
        return {"networkid": network, "projectid": ctx.project_id}


OPERATIONS: Operations = {
    ("public_ip", Action.CREATE): AssociateIp(),
    ("public_ip", Action.DELETE): Delete(KINDS["public_ip"], "disassociateIpAddress"),
}
