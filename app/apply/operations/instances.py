"""Instances: deployVirtualMachine (async create) and destroyVirtualMachine (expunge=true).

deployVirtualMachine: serviceofferingid, templateid, zoneid, networkids (the first is the
default NIC), keypair, rootdisksize (GiB), name, displayname, projectid and userdata
(base64; the client POSTs, so up to 32 KiB). The VM and its ROOT volume are tagged: the
inventory reads an instance's root disk size from the ROOT volume carrying the repo tag.
Real CloudStack lets a user expunge only with allow.user.expunge.recover.vm (or as admin);
the sandbox always does. Data disks are detached by the destroy, in both.

In place (UpdateInstance): a running VM is scaled with scaleVirtualMachine when the plan
says it can be; an update-stop stops it (stopVirtualMachine, in ``submit``, journaled by
job id), changes the offering (changeServiceForVirtualMachine), grows the ROOT disk
(resizeVolume), sets its SSH key (resetSSHKeyForVirtualMachine, which CloudStack allows only
on a stopped VM) and its affinity groups (updateVMAffinityGroup, UpdateVMAffinityGroupCmd:
stopped only; an empty affinitygroupids clears them) and starts it again if it was running.
A new VM joins its groups at deploy (affinitygroupids). User data goes through
updateVirtualMachine; labels and protection through the tags of the VM and its ROOT disk.
Each call looks first, so a resumed update repeats nothing, except the key reset: the VM
names its key pairs but not their material, and a replaced key keeps its name, so the reset
is sent whenever the key changed (sending it twice sets the same key twice).
"""

from __future__ import annotations

import base64
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import Any

from app.apply.operations.base import Context, Submitted
from app.apply.operations.common import (
    KINDS,
    Delete,
    Operations,
    Unresolved,
    after,
    catalog_id,
    created_id,
    live_row,
    ref,
    retag,
    zone_id,
)
from app.apply.operations.create import Create
from app.apply.operations.passing import settled
from app.apply.operations.security_groups import new_vm_groups, vm_groups
from app.apply.operations.tags import send_tags, settle, sync_tags, wanted_tags
from app.cloudstack.catalog import GIB, tag_map
from app.cloudstack.errors import CloudStackError
from app.cloudstack.inventory import TAG_USERDATA
from app.plan.diff import STOPPED_FOR
from app.plan.model import Action, Change


def _user_data(ctx: Context, change: Change) -> str | None:
    spec = ctx.desired.instances.get(change.name) if ctx.desired else None
    text = spec.user_data if spec else None
    if after(change).get("user_data_sha") and not text:
        raise Unresolved(ctx.client.cloud, "deployVirtualMachine", "the user data is unknown")
    return base64.b64encode(text.encode()).decode() if text else None


def _template_id(ctx: Context, name: str, zone: str, command: str) -> str:
    """The project's own template by that name (registered before the instances), else the
    cloud's catalog template, as the plan resolved it."""
    if ctx.desired is not None and name in ctx.desired.templates:
        return ref(ctx, "template", name, command)
    template = ctx.catalog.template(name, zone)
    if template is None:
        raise Unresolved(ctx.client.cloud, command, f"no template {name}")
    return template.id


LIST_VMS = "listVirtualMachines"
DEPLOYING = frozenset({"Starting"})  # VirtualMachine.State while deployVirtualMachine's job runs


class DeployInstance(Create):
    kind_name = "instance"
    command = "deployVirtualMachine"

    def params(self, ctx: Context, change: Change) -> dict[str, Any]:
        fields = after(change)
        template = _template_id(ctx, fields["template"], fields["zone"], self.command)
        networks = [ref(ctx, "network", name, self.command) for name in fields["networks"]]
        offerings = ctx.catalog.service_offerings
        optional = {
            "keypair": fields.get("ssh_key"),
            "rootdisksize": fields.get("root_disk_gib"),
            "userdata": _user_data(ctx, change),
            "affinitygroupids": _groups(ctx, change, self.command) or None,
            "securitygroupids": vm_groups(ctx, change, self.command),
            "networkids": ",".join(networks) or None,  # none: the SG zone's shared network
        }
        return {
            "serviceofferingid": catalog_id(ctx, offerings, fields["offering"], self.command),
            "templateid": template,
            "zoneid": zone_id(ctx, change, self.command),
            "name": change.name,
            "displayname": change.name,
            "projectid": ctx.project_id,
            **{key: value for key, value in optional.items() if value is not None},
        }

    def tags(self, ctx: Context, change: Change) -> dict[str, str]:
        return wanted_tags(ctx, change, {TAG_USERDATA: after(change).get("user_data_sha")})

    def find(self, ctx: Context, change: Change) -> str | None:
        """A VM is tagged as soon as its deploy answers (``submit``), so one a restarted apply
        finds by its tags may still be deploying: the step ends once CloudStack has started
        it, as the deploy job would have said; a volume attached to a VM still Starting is
        refused (431, VolumeApiServiceImpl.attachVolumeToVM)."""
        found = super().find(ctx, change)
        if found is not None:

            def look() -> dict[str, Any] | None:
                rows = ctx.client.list(LIST_VMS, id=found, projectid=ctx.project_id)
                return next(iter(rows), None)

            settled(ctx, look, DEPLOYING, LIST_VMS, change.address)
        return found

    def submit(self, ctx: Context, change: Change) -> Submitted:
        """The VM and its ROOT volume are tagged as soon as the deploy answers: CloudStack
        allocates both before it does (DeployVMCmd.create), so the two tag jobs run beside
        the deploy's rather than after it, which would double each instance's time."""
        sent = super().submit(ctx, change)
        if sent.resource_id is None:
            return sent
        vm = sent.resource_id
        jobs = [send_tags(ctx, self.kind.resource_type, vm, self.tags(ctx, change))]
        try:
            roots = _roots(ctx, vm)
        except CloudStackError:  # the deploy went out: its disk is tagged in finish instead
            roots = []
        for root in roots:
            jobs.append(send_tags(ctx, "Volume", str(root["id"]), wanted_tags(ctx, change)))
        return replace(sent, side_jobs=tuple(job for job in jobs if job))

    def finish(
        self, ctx: Context, change: Change, submitted: Submitted, result: dict[str, Any]
    ) -> str | None:
        """The ROOT volume gets the instance's tags (labels, for cost reports, included),
        beside the VM's own: two tag jobs at once rather than one after the other. Those
        sent with the deploy are awaited first; only what they did not write is written."""
        settle(ctx, submitted.side_jobs)
        vm = created_id(ctx, self.kind, submitted, result, self.command)
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="root-tags") as side:
            roots = side.submit(_tag_roots, ctx, change, _roots(ctx, vm))
            made = super().finish(ctx, change, submitted, result)
            roots.result()
        return made


def _tag_roots(ctx: Context, change: Change, roots: list[dict[str, Any]]) -> None:
    wanted = wanted_tags(ctx, change)
    for root in roots:
        sync_tags(ctx, "Volume", str(root["id"]), tag_map(root), wanted)


def _roots(ctx: Context, vm: str) -> list[dict[str, Any]]:
    return ctx.client.list(
        "listVolumes", type="ROOT", virtualmachineid=vm, projectid=ctx.project_id
    )


def _groups(ctx: Context, change: Change, command: str) -> str:
    """The affinity group ids the change names, comma-separated (DeployVMCmd and
    UpdateVMAffinityGroupCmd take ``affinitygroupids``)."""
    names = after(change).get("affinity_groups") or []
    return ",".join(ref(ctx, "affinity_group", name, command) for name in names)


def _new_groups(vm: dict[str, Any], change: Change) -> bool:
    listed = sorted(str(group.get("name")) for group in vm.get("affinitygroup") or [])
    return listed != sorted(after(change).get("affinity_groups") or [])


def _must_stop(vm: dict[str, Any], change: Change) -> bool:
    """An update-stop stops a running VM unless all it stopped for was its groups and they are
    right already (deleteAffinityGroup took it out of a group the repo dropped, a deleted
    security group's delete moved it)."""
    if change.action is not Action.UPDATE_STOP or vm["state"] != "Running":
        return False
    needs = {field.field for field in change.changed} & {"offering", *STOPPED_FOR["instance"]}
    groups_only = needs <= {"affinity_groups", "security_groups"}
    return not groups_only or _new_groups(vm, change) or new_vm_groups(vm, change)


class UpdateInstance:
    def submit(self, ctx: Context, change: Change) -> Submitted:
        vm = live_row(ctx, KINDS["instance"], change, "updateVirtualMachine")
        if _must_stop(vm, change):
            answer = ctx.client.request("stopVirtualMachine", id=vm["id"])
            return Submitted(str(answer["jobid"]), str(vm["id"]))
        if vm["state"] == "Running" and _new_offering(vm, change):
            offering = _offering(ctx, change, "scaleVirtualMachine")
            answer = ctx.client.request(
                "scaleVirtualMachine", id=vm["id"], serviceofferingid=offering
            )
            return Submitted(str(answer["jobid"]), str(vm["id"]))
        return Submitted(resource_id=str(vm["id"]))

    def finish(
        self, ctx: Context, change: Change, _submitted: Submitted, _result: dict[str, Any]
    ) -> str | None:
        vm = live_row(ctx, KINDS["instance"], change, "updateVirtualMachine")
        vm_id = str(vm["id"])
        if _new_offering(vm, change):  # stopped by now (a running one was scaled in submit)
            offering = _offering(ctx, change, "changeServiceForVirtualMachine")
            ctx.client.request(
                "changeServiceForVirtualMachine", id=vm_id, serviceofferingid=offering
            )
        size = after(change).get("root_disk_gib")
        roots = _roots(ctx, vm_id)
        for root in roots:
            if size and int(root.get("size", 0)) < size * GIB:
                ctx.client.run("resizeVolume", id=root["id"], size=size)
        changed = {field.field for field in change.changed}
        if "user_data_sha" in changed:
            ctx.client.request("updateVirtualMachine", id=vm_id, userdata=_user_data(ctx, change))
        if "ssh_key" in changed:  # stopped by now: an SSH key change is an update-stop
            key = after(change)["ssh_key"]
            ctx.client.run(
                "resetSSHKeyForVirtualMachine", id=vm_id, keypair=key, projectid=ctx.project_id
            )
        if _new_groups(vm, change):  # stopped by now, or it was stopped when planned
            groups = _groups(ctx, change, "updateVMAffinityGroup")
            ctx.client.run("updateVMAffinityGroup", id=vm_id, affinitygroupids=groups)
        if new_vm_groups(vm, change):  # stopped by now, as for its affinity groups
            ids = vm_groups(ctx, change, "updateVirtualMachine")
            ctx.client.request("updateVirtualMachine", id=vm_id, securitygroupids=ids)
        retag(ctx, KINDS["instance"], change, vm_id, DeployInstance().tags(ctx, change))
        _tag_roots(ctx, change, roots)
        was_running = (change.before or {}).get("state") == "Running"
        if change.action is Action.UPDATE_STOP and was_running and vm["state"] == "Stopped":
            ctx.client.run("startVirtualMachine", id=vm_id)
        return vm_id

    def find(self, _ctx: Context, _change: Change) -> str | None:
        return None  # each call looks at the VM first: running it again is harmless


def _new_offering(vm: dict[str, Any], change: Change) -> bool:
    return bool(vm.get("serviceofferingname") != after(change).get("offering"))


def _offering(ctx: Context, change: Change, command: str) -> str:
    offerings = ctx.catalog.service_offerings
    return catalog_id(ctx, offerings, after(change)["offering"], command)


OPERATIONS: Operations = {
    ("instance", Action.CREATE): DeployInstance(),
    ("instance", Action.UPDATE): UpdateInstance(),
    ("instance", Action.UPDATE_STOP): UpdateInstance(),
    ("instance", Action.DELETE): Delete(
        KINDS["instance"], "destroyVirtualMachine", {"expunge": "true"}
    ),
}
