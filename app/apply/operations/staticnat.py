"""Static NAT of a public address to an instance: enableStaticNat (EnableStaticNatCmd, sync:
ipaddressid, virtualmachineid, and networkid for an address of a VPC) and disableStaticNat
(DisableStaticNatCmd, async: ipaddressid).

Turning it on, off or to another instance is an update of the address: a static NAT to
another VM is refused while one is on (RulesManagerImpl.isIpReadyForStaticNat: 'already
assigned to another vm'), so it is first disabled, in ``submit`` (its job journaled), then
enabled in ``finish``. Each call looks at the address first, so a resumed update repeats
nothing. A new address gets its static NAT before its tags, so a tagged one is complete.
"""

from __future__ import annotations

from typing import Any

from app.apply.operations.base import Context, Submitted
from app.apply.operations.common import KINDS, after, live_id, live_row, ref, retag, row
from app.plan.model import Change

ENABLE = "enableStaticNat"


def _target(change: Change) -> str | None:
    found = after(change).get("static_nat")
    return str(found) if found else None


def _stale(address: dict[str, Any], change: Change) -> bool:
    """On, and not to the instance the change wants (or the change wants it off)."""
    on = bool(address.get("isstaticnat"))
    return on and address.get("virtualmachinename") != _target(change)


def enable(ctx: Context, change: Change, address: dict[str, Any]) -> None:
    """Static NAT to the change's instance, unless it is on to it already."""
    target = _target(change)
    if target is None or address.get("isstaticnat"):
        return
    vm = ref(ctx, "instance", target, ENABLE)
    tier = _tier(ctx, change, target)
    ctx.client.request(ENABLE, ipaddressid=address["id"], virtualmachineid=vm, **tier)


def _tier(ctx: Context, change: Change, instance: str) -> dict[str, str]:
    """An address of a VPC is on no guest network until its static NAT names the instance's
    tier (EnableStaticNatCmd networkid, required then: 'is not assigned to the network null'):
    the first of the instance's networks that is a tier of the address's VPC."""
    vpc = after(change).get("vpc")
    desired = ctx.desired
    if not vpc or desired is None or vpc not in desired.vpcs or instance not in desired.instances:
        return {}
    tiers = desired.vpcs[vpc].tiers
    on = [name for name in desired.instances[instance].networks if name in tiers]
    return {"networkid": ref(ctx, "network", on[0], ENABLE)} if on else {}


class UpdateAddress:
    """Static NAT on, off or to another instance; then labels and protection."""

    def submit(self, ctx: Context, change: Change) -> Submitted:
        address = live_row(ctx, KINDS["public_ip"], change, ENABLE)
        if _stale(address, change):
            answer = ctx.client.request("disableStaticNat", ipaddressid=address["id"])
            return Submitted(str(answer["jobid"]), str(address["id"]))
        return Submitted(resource_id=str(address["id"]))

    def finish(
        self, ctx: Context, change: Change, _submitted: Submitted, _result: dict[str, Any]
    ) -> str | None:
        address_id = live_id(ctx, change, ENABLE)
        address = row(ctx, KINDS["public_ip"], address_id) or {"id": address_id}
        if _stale(address, change):  # set again since submit looked: off it goes, and waited for
            ctx.client.run("disableStaticNat", ipaddressid=address_id)
            address = {"id": address_id}
        enable(ctx, change, address)
        retag(ctx, KINDS["public_ip"], change, address_id)
        return address_id

    def find(self, _ctx: Context, _change: Change) -> str | None:
        return None  # each call looks at the address first: running it again is harmless
