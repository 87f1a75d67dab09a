"""A VM's NICs as listNics shows them (ListNicsCmd, NetworkServiceImpl.listNics)."""

from __future__ import annotations

from typing import Any

from app.sandbox.api import Ctx, command
from app.sandbox.listing import check_known, page_body
from app.sandbox.store import Row


@command("listNics")
def list_nics(ctx: Ctx) -> dict[str, Any]:
    """Not paged: the command sets its whole list as the response (ListResponse.setResponses),
    each NIC as ApiResponseHelper.createNicResponse writes it."""
    request = ctx.request
    vm = ctx.entity("vms", "virtualmachineid")
    check_known(request, ctx.state.table("networks"), "networkid")
    nic_id, network_id = request.get("nicid"), request.get("networkid")
    nics: list[Row] = [
        {**nic, "deviceid": str(index), "virtualmachineid": vm["id"]}
        for index, nic in enumerate(vm["nic"])
        if nic_id in (None, "", nic["id"]) and network_id in (None, "", nic["networkid"])
    ]
    return page_body("nic", len(nics), nics)
