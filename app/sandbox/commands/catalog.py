"""Zones and the catalog (offerings, templates), and listApis for clients that discover the API."""

from __future__ import annotations

from typing import Any

from app.sandbox.api import Ctx, command
from app.sandbox.commands.templates import advance
from app.sandbox.contract import contract
from app.sandbox.errors import PARAM_ERROR, ApiError
from app.sandbox.listing import list_body
from app.sandbox.store import Row

TEMPLATE_FILTERS = (
    "featured",
    "self",
    "selfexecutable",
    "sharedexecutable",
    "executable",
    "community",
    "all",
)


@command("listZones")
def list_zones(ctx: Ctx) -> dict[str, Any]:
    return list_body(ctx.request, "zone", ctx.state.table("zones"))


@command("listServiceOfferings")
def list_service_offerings(ctx: Ctx) -> dict[str, Any]:
    return list_body(ctx.request, "serviceoffering", ctx.state.table("service_offerings"))


@command("listDiskOfferings")
def list_disk_offerings(ctx: Ctx) -> dict[str, Any]:
    return list_body(ctx.request, "diskoffering", ctx.state.table("disk_offerings"))


@command("listNetworkOfferings")
def list_network_offerings(ctx: Ctx) -> dict[str, Any]:
    guest_type = ctx.request.get("guestiptype")

    def keep(row: Row) -> bool:
        return not guest_type or row["guestiptype"].lower() == guest_type.lower()

    return list_body(ctx.request, "networkoffering", ctx.state.table("network_offerings"), keep)


@command("listTemplates")
def list_templates(ctx: Ctx) -> dict[str, Any]:
    template_filter = ctx.request.require("templatefilter")
    if template_filter not in TEMPLATE_FILTERS:
        raise ApiError(PARAM_ERROR, f"Please specify a valid template filter: {template_filter}")
    zone = ctx.request.get("zoneid")
    project = ctx.request.get("projectid")

    def shown(template: Row) -> bool:
        """A project's own templates with its projectid (every project's with -1, as
        BaseListProjectAndAccountResourcesCmd has it); the cloud's public ones, but for
        'self'."""
        if template.get("projectid"):
            return project in (template["projectid"], "-1")
        return template_filter != "self"

    rows = []
    for template in filter(shown, ctx.state.table("templates")):
        advance(template)
        rows += [
            {**template, "zoneid": zone_id, "zonename": zone_name}
            for zone_id, zone_name in template["_zones"].items()
            if not zone or zone in (zone_id, "-1")
        ]
    return list_body(ctx.request, "template", rows)


@command("listApis")
def list_apis(ctx: Ctx) -> dict[str, Any]:
    wanted = ctx.request.get("name")
    apis = [
        _api(name, spec)
        for name, spec in contract()["commands"].items()
        if not wanted or name == wanted
    ]
    return {"count": len(apis), "api": apis} if apis else {}


def _api(name: str, spec: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": name,
        "description": spec["description"],
        "isasync": spec["async"],
        "related": "",
        "params": [
            {
                "name": param,
                "description": info["description"],
                "type": info["type"].lower(),
                "length": 255,
                "required": info["required"],
                "related": "",
            }
            for param, info in spec["params"].items()
        ],
        "response": [
            {"name": field, "description": "", "type": kind.lower()}
            for field, kind in spec["response"].items()
        ],
    }
