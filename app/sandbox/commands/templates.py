"""Templates a tenant registers from a URL (TemplateManagerImpl, TemplateAdapterBase) and the
guest OS types they name: registered in each zone, downloaded over the next few list calls."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from app.sandbox.accounting import require
from app.sandbox.api import Answer, Ctx, command
from app.sandbox.errors import CS_RESOURCE_ALLOCATION, invalid_parameter
from app.sandbox.listing import list_body, page_body, public
from app.sandbox.store import Row

# Storage.ImageFormat, as EnumUtils.listValues lists them in the refusal
FORMATS = ("QCOW2", "RAW", "VHD", "VHDX", "ISO", "OVA", "VMDK", "BAREMETAL", "TAR", "ZIP", "DIR")
# what a registered template's status reads at each listTemplates that sees it, until ready
DOWNLOAD_STEPS = ("0% Downloaded", "45% Downloaded", "90% Downloaded")
COMPLETE = "Download Complete"


def _format(given: str) -> str:
    if given.upper() not in FORMATS:
        raise invalid_parameter(
            f"Image format: {given} is incorrect. Supported formats are {', '.join(FORMATS)}"
        )
    return given.upper()


@command("registerTemplate")
def register_template(ctx: Ctx) -> dict[str, Any]:
    """RegisterTemplateCmd (BaseCmd): the template row at once, not ready; the download runs
    on the secondary storage and shows in its status."""
    request = ctx.request
    url = request.require("url")
    if urlsplit(url).scheme.lower() not in ("http", "https"):
        raise invalid_parameter(f"Unsupported scheme for url: {url}")
    image_format = _format(request.require("format"))
    hypervisor = request.require("hypervisor")
    os_type = ctx.entity("os_types", "ostypeid")
    zone_ids = request.ids("zoneids") or [request.require("zoneid")]
    zones = [ctx.entity("zones", "zoneids", zone_id) for zone_id in zone_ids]
    project = ctx.project()
    require(ctx.state, project, {4: 1}, CS_RESOURCE_ALLOCATION)  # TemplateAdapterBase.prepare
    owner = ctx.owner_fields(project)
    if project is not None:
        owner.pop("account")
    template = ctx.state.table("templates").add(
        {
            "id": ctx.state.new_id(),
            "name": request.require("name"),
            "displaytext": request.get("displaytext") or request.require("name"),
            "ispublic": request.flag("ispublic"),
            "isready": False,
            "isfeatured": False,
            "crossZones": False,
            "ostypeid": os_type["id"],
            "ostypename": os_type["description"],
            "templatetype": "USER",
            "hypervisor": hypervisor,
            "format": image_format,
            "passwordenabled": request.flag("passwordenabled"),
            "status": DOWNLOAD_STEPS[0],
            **owner,
            "created": ctx.state.timestamp(),
            "isextractable": request.flag("isextractable"),
            "isdynamicallyscalable": request.flag("isdynamicallyscalable"),
            "sshkeyenabled": request.flag("sshkeyenabled"),
            "requireshvm": request.flag("requireshvm", default=True),
            "directdownload": request.flag("directdownload"),
            "deployasis": False,
            "bootable": True,
            "url": url,
            "checksum": request.get("checksum") or "",
            "tags": [],
            "_root_gib": 10,
            "_zones": {zone["id"]: zone["name"] for zone in zones},
            "_steps": 0,
            **_download_failure(ctx),
        }
    )
    rows = [_in_zone(template, zone["id"], zone["name"]) for zone in zones]
    return {"count": len(rows), "template": rows}


def _download_failure(ctx: Ctx) -> Row:
    """A registration whose failure a test injected "in its job": the download fails on the
    secondary storage after the command answered, with the failure's text as its error."""
    failure = ctx.knobs.take_failure("registerTemplate", in_job=True, params=ctx.request.params)
    return {"_download_error": failure.errortext} if failure else {}


def _in_zone(template: Row, zone_id: str, zone_name: str) -> Row:
    return {**public(template), "zoneid": zone_id, "zonename": zone_name}


def advance(template: Row) -> None:
    """One more listTemplates has seen the template: its download moves on."""
    if template.get("isready") or "_steps" not in template:
        return
    if template.get("_download_error"):  # TemplateJoinDaoImpl: the error string as status
        template["status"] = template.pop("_download_error")
        del template["_steps"]
        return
    template["_steps"] += 1
    if template["_steps"] < len(DOWNLOAD_STEPS):
        template["status"] = DOWNLOAD_STEPS[template["_steps"]]
    else:
        template.update(status=COMPLETE, isready=True, size=template["_root_gib"] * 1024**3)


@command("updateTemplate")
def update_template(ctx: Ctx) -> dict[str, Any]:
    template = ctx.entity("templates", "id")
    request = ctx.request
    if request.get("format"):
        template["format"] = _format(request.require("format"))
    if request.get("ostypeid"):
        os_type = ctx.entity("os_types", "ostypeid")
        template.update(ostypeid=os_type["id"], ostypename=os_type["description"])
    for key in ("name", "displaytext"):
        if request.get(key):
            template[key] = request.get(key)
    for flag in ("passwordenabled", "sshkeyenabled", "isdynamicallyscalable", "requireshvm"):
        if request.get(flag) is not None:
            template[flag] = request.flag(flag)
    zone_id, zone_name = next(iter(template["_zones"].items()))
    return {"template": _in_zone(template, zone_id, zone_name)}


@command("deleteTemplate")
def delete_template(ctx: Ctx) -> Answer:
    """TemplateManagerImpl.deleteTemplate: refused while a VM still uses it, unless forced."""
    template = ctx.entity("templates", "id")
    users = [vm for vm in ctx.state.table("vms") if vm["templateid"] == template["id"]]
    if users and not ctx.request.flag("forced"):
        names = ", ".join(vm["instancename"] for vm in users)
        raise invalid_parameter(
            f"Unable to delete template with id: {template['id']} because VM instances: "
            f"[{names}] are using it."
        )

    def run() -> None:
        ctx.state.table("templates").remove(template["id"])

    return ctx.submit(run, ("Template", template))


@command("listHypervisors")
def list_hypervisors(ctx: Ctx) -> dict[str, Any]:
    """ManagementServerImpl.getHypervisors: those of the zone's hosts, simulated here."""
    if ctx.request.get("zoneid"):
        ctx.entity("zones", "zoneid")
    return page_body("hypervisor", 1, [{"name": "Simulator"}])


@command("listOsTypes")
def list_os_types(ctx: Ctx) -> dict[str, Any]:
    description = ctx.request.get("description")

    def keep(row: Row) -> bool:
        return not description or description.lower() in row["description"].lower()

    return list_body(ctx.request, "ostype", ctx.state.table("os_types"), keep)
