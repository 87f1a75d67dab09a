"""Public IP addresses: associateIpAddress (async create: networkid, projectid), then its
static NAT (staticnat.py), and disassociateIpAddress (async, by id), which a source NAT
address going with its network skips; it releases a static NAT address without refusing.

An address has no name: one a crash left untagged is adopted only when it provably came from
that step's own request (app/apply/provenance.py), never because it is an untagged address on
the same network: one associated by hand there is left alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from app.apply.operations import staticnat
from app.apply.operations.base import Context, Submitted
from app.apply.operations.common import KINDS, Delete, Operations, after, live_id, ref
from app.apply.operations.create import Create
from app.plan.model import Action, Change


class AssociateIp(Create):
    kind_name = "public_ip"
    command = "associateIpAddress"
    # an address of a network, or of a VPC (vpcid), where it joins a tier with its first rule
    scope: ClassVar[dict[str, str]] = {"networkid": "associatednetworkid", "vpcid": "vpcid"}
    job_class = "org.apache.cloudstack.api.command.user.address.AssociateIPAddrCmd"

    def params(self, ctx: Context, change: Change) -> dict[str, Any]:
        vpc = after(change).get("vpc")
        if vpc:
            return {"vpcid": ref(ctx, "vpc", vpc, self.command), "projectid": ctx.project_id}
        network = ref(ctx, "network", after(change)["network"], self.command)
        return {"networkid": network, "projectid": ctx.project_id}

    def follow_up(self, ctx: Context, change: Change, obj: dict[str, Any]) -> None:
        staticnat.enable(ctx, change, obj)


@dataclass(frozen=True)
class ReleaseIp(Delete):
    """A source NAT address whose network this run deletes is left to that deletion, which
    releases every address of the network (NetworkOrchestrator.cleanupNetworkResources):
    released on its own while the network is in use, CloudStack fails the job with 530."""

    def submit(self, ctx: Context, change: Change) -> Submitted:
        before = change.before or {}
        network = before.get("network")
        if not (before.get("source_nat") and f"network/{network}" in ctx.leaving):
            return super().submit(ctx, change)
        ctx.notes[change.address] = (
            f"source NAT address {before.get('address')} left to network {network}'s "
            "deletion, which releases it"
        )
        return Submitted(resource_id=live_id(ctx, change, self.command))


OPERATIONS: Operations = {
    ("public_ip", Action.CREATE): AssociateIp(),
    ("public_ip", Action.UPDATE): staticnat.UpdateAddress(),
    ("public_ip", Action.DELETE): ReleaseIp(KINDS["public_ip"], "disassociateIpAddress"),
}
