"""Instances: deployVirtualMachine (async create) and destroyVirtualMachine (expunge=true).

deployVirtualMachine: serviceofferingid, templateid, zoneid, networkids (the first is the
default NIC), keypair, rootdisksize (GiB), name, displayname, projectid and userdata
(base64; the client POSTs, so up to 32 KiB). The VM and its ROOT volume are tagged: the
inventory reads an instance's root disk size from the ROOT volume carrying the repo tag.
Real CloudStack lets a user expunge only with allow.user.expunge.recover.vm (or as admin);
the sandbox always does. Data disks are detached by the destroy, in both.
"""

from __future__ import annotations

import base64
from typing import Any

from app.apply.operations.base import Context
from app.apply.operations.common import (
    KINDS,
    Delete,
    Operations,
    Unresolved,
    after,
    catalog_id,
    ref,
    zone_id,
)
from app.apply.operations.create import Create
from app.apply.operations.tags import sync_tags, wanted_tags
from app.cloudstack.catalog import tag_map
from app.cloudstack.inventory import TAG_USERDATA
from app.plan.model import Action, Change


def _user_data(ctx: Context, change: Change) -> str | None:
    spec = ctx.desired.instances.get(change.name) if ctx.desired else None
    text = spec.user_data if spec else None
    if after(change).get("user_data_sha") and not text:
        raise Unresolved(ctx.client.cloud, "deployVirtualMachine", "the user data is unknown")
    return base64.b64encode(text.encode()).decode() if text else None


class DeployInstance(Create):
    kind_name = "instance"
    command = "deployVirtualMachine"

    def params(self, ctx: Context, change: Change) -> dict[str, Any]:
        fields = after(change)
        template = ctx.catalog.template(fields["template"], fields["zone"])
        if template is None:
            raise Unresolved(ctx.client.cloud, self.command, f"no template {fields['template']}")
        networks = [ref(ctx, "network", name, self.command) for name in fields["networks"]]
        offerings = ctx.catalog.service_offerings
        optional = {
            "keypair": fields.get("ssh_key"),
            "rootdisksize": fields.get("root_disk_gib"),
            "userdata": _user_data(ctx, change),
        }
        return {
            "serviceofferingid": catalog_id(ctx, offerings, fields["offering"], self.command),
            "templateid": template.id,
            "zoneid": zone_id(ctx, change, self.command),
            "networkids": ",".join(networks),
            "name": change.name,
            "displayname": change.name,
            "projectid": ctx.project_id,
            **{key: value for key, value in optional.items() if value is not None},
        }

    def tags(self, ctx: Context, change: Change) -> dict[str, str]:
        return wanted_tags(ctx, change, {TAG_USERDATA: after(change).get("user_data_sha")})

    def follow_up(self, ctx: Context, change: Change, obj: dict[str, Any]) -> None:
        """The ROOT volume gets the instance's tags (labels, for cost reports, included)."""
        roots = ctx.client.list(
            "listVolumes", type="ROOT", virtualmachineid=obj["id"], projectid=ctx.project_id
        )
        wanted = wanted_tags(ctx, change)
        for root in roots:
            sync_tags(ctx, "Volume", str(root["id"]), tag_map(root), wanted)


OPERATIONS: Operations = {
    ("instance", Action.CREATE): DeployInstance(),
    ("instance", Action.DELETE): Delete(
        KINDS["instance"], "destroyVirtualMachine", {"expunge": "true"}
    ),
}
