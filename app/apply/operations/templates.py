"""Templates a project registers: registerTemplate, its download awaited as its job;
updateTemplate in place; deleteTemplate.

registerTemplate (RegisterTemplateCmd, sync) answers at once with the template in each zone,
not ready: the secondary storage downloads it, and listTemplates shows how far in ``status``
("45% Downloaded", then "Download Complete" and ``isready``) or the download's error text
(TemplateJoinDaoImpl writes the error string there). ``finish`` tags the template, then polls
until every zone has it ready, as the executor awaits an async job, up to the cloud's job
timeout; an error text fails the step in CloudStack's words, and the broken template is
deleted, so that the resumed step registers it anew. The template is tagged before the
wait, so an apply killed while it downloads finds it by its tags (or, untagged, by its
name: CloudStack keeps the name) and waits again, never registering it twice.

updateTemplate (UpdateTemplateCmd, sync) takes the display text and the OS type; the image,
its format, hypervisor and zones are fixed (the plan replaces the template for those).
deleteTemplate (DeleteTemplateCmd, async) is refused while an instance uses the template
(TemplateManagerImpl: "... because VM instances: [...] are using it."); not forced.
"""

from __future__ import annotations

import time
from typing import Any

from app.apply.operations.base import Context, Submitted
from app.apply.operations.common import (
    KINDS,
    Delete,
    Operations,
    Unresolved,
    after,
    display_text,
    live_id,
    retag,
)
from app.apply.operations.create import Create
from app.cloudstack.backup_reading import download_error
from app.cloudstack.errors import CloudStackError
from app.plan.model import Action, Change

TEMPLATES = KINDS["template"]
REGISTER = "registerTemplate"
POLL_FIRST, POLL_MAX = 1.0, 10.0  # seconds between looks, doubling


class DownloadFailed(CloudStackError):
    """The template's download ended in an error, or did not end in the job timeout."""


def os_type_id(ctx: Context, name: str, command: str) -> str:
    """listOsTypes by description (a substring match): the one whose description is ``name``."""
    rows = ctx.client.list("listOsTypes", description=name)
    found = next((row["id"] for row in rows if row.get("description") == name), None)
    if found is None:
        raise Unresolved(ctx.client.cloud, command, f"the cloud lists no OS type '{name}'")
    return str(found)


def _listed(ctx: Context, template_id: str) -> list[dict[str, Any]]:
    return ctx.client.list(
        "listTemplates", id=template_id, projectid=ctx.project_id, **TEMPLATES.list_params
    )


def await_download(ctx: Context, template_id: str) -> None:
    """Until the template is ready in every zone; its error text, or a timeout, fails it."""
    deadline = time.monotonic() + ctx.client.endpoint.job_timeout
    pause = POLL_FIRST
    while True:
        rows = _listed(ctx, template_id)
        if not rows:
            raise DownloadFailed(ctx.client.cloud, REGISTER, f"template {template_id} is gone")
        waiting = [row for row in rows if not row.get("isready")]
        if not waiting:
            return
        for row in waiting:
            error = download_error(row)
            if error is not None:
                zone = row.get("zonename", "")
                raise DownloadFailed(ctx.client.cloud, REGISTER, f"download in {zone}: {error}")
        if time.monotonic() > deadline:
            late = waiting[0].get("status")
            raise DownloadFailed(ctx.client.cloud, REGISTER, f"not ready in time: {late}")
        ctx.client.sleep(pause)
        pause = min(pause * 2, POLL_MAX)


class RegisterTemplate(Create):
    kind_name = "template"
    command = REGISTER

    def params(self, ctx: Context, change: Change) -> dict[str, Any]:
        fields = after(change)
        zones = []
        for zone in fields["zones"]:
            found = ctx.catalog.zones.get(zone)
            if found is None:
                raise Unresolved(ctx.client.cloud, self.command, f"no zone {zone}")
            zones.append(found.id)
        return {
            "name": change.name,
            "displaytext": display_text(change),
            "url": fields["url"],
            "checksum": fields["checksum"],
            "format": fields["format"],
            "hypervisor": fields["hypervisor"],
            "ostypeid": os_type_id(ctx, fields["os_type"], self.command),
            "zoneids": ",".join(zones),
            "projectid": ctx.project_id,
        }

    def submit(self, ctx: Context, change: Change) -> Submitted:
        """The answer lists the template once per zone, all under one id."""
        answer = ctx.client.request(self.command, **self.params(ctx, change))
        rows = answer.get("template") or []
        return Submitted(resource_id=str(rows[0]["id"]) if rows else None)

    def finish(
        self, ctx: Context, change: Change, submitted: Submitted, result: dict[str, Any]
    ) -> str | None:
        template_id = super().finish(ctx, change, submitted, result)
        if template_id is None:
            return None
        try:
            await_download(ctx, template_id)
        except DownloadFailed:
            # as a VM its deploy left in Error: removed, so that the step, resumed, registers
            # it anew rather than finding the broken one and failing on it again
            ctx.client.run("deleteTemplate", id=template_id)
            raise
        return template_id


class UpdateTemplate:
    def submit(self, ctx: Context, change: Change) -> Submitted:
        template_id = live_id(ctx, change, "updateTemplate")
        changed = {field.field for field in change.changed}
        fields = after(change)
        params: dict[str, Any] = {}
        if "description" in changed:
            params["displaytext"] = display_text(change)
        if "os_type" in changed:
            params["ostypeid"] = os_type_id(ctx, fields["os_type"], "updateTemplate")
        if params:
            ctx.client.request("updateTemplate", id=template_id, **params)
        return Submitted(resource_id=template_id)

    def finish(
        self, ctx: Context, change: Change, _submitted: Submitted, _result: dict[str, Any]
    ) -> str | None:
        template_id = live_id(ctx, change, "createTags")
        retag(ctx, TEMPLATES, change, template_id)
        return template_id

    def find(self, _ctx: Context, _change: Change) -> str | None:
        return None  # updateTemplate sets values: sending it again is harmless


OPERATIONS: Operations = {
    ("template", Action.CREATE): RegisterTemplate(),
    ("template", Action.UPDATE): UpdateTemplate(),
    ("template", Action.DELETE): Delete(TEMPLATES, "deleteTemplate"),
}
