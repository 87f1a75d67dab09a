"""A new VM and its ROOT disk are tagged while the deploy's job runs, not after it."""

from __future__ import annotations

from dataclasses import replace

import httpx

from app.apply.operations import operation_for
from app.cloudstack.catalog import tag_map
from app.cloudstack.inventory import TAG_KEY
from app.plan.model import Action
from tests.apply.world import sandbox_world


def test_a_deploying_vm_and_its_root_disk_carry_their_tags_before_the_job_ends() -> None:
    with sandbox_world() as world:
        plan = world.plan()
        first = next(
            seq
            for seq, change in enumerate(plan.changes)
            if change.kind == "instance" and change.action is Action.CREATE
        )
        world.apply(replace(plan, changes=plan.changes[:first]))  # its networks and the rest
        change = plan.changes[first]
        ctx = world.context(change.project)
        base = ctx.client.endpoint.url.removesuffix("/client/api")
        knobs = {"job_seconds_per_command": {"deployVirtualMachine": 1.5}}
        httpx.post(f"{base}/sandbox/knobs", json=knobs, timeout=10).raise_for_status()
        operation = operation_for(change.kind, change.action)
        assert operation is not None
        sent = operation.submit(ctx, change)
        assert sent.job_id and sent.resource_id and len(sent.side_jobs) == 2
        key = f"instance/{change.name}"
        vm = ctx.client.list("listVirtualMachines", id=sent.resource_id, projectid=ctx.project_id)
        root = ctx.client.list(
            "listVolumes", virtualmachineid=sent.resource_id, projectid=ctx.project_id
        )
        assert vm[0]["state"] == "Starting"  # the deploy still runs
        assert (tag_map(vm[0]).get(TAG_KEY), tag_map(root[0]).get(TAG_KEY)) == (key, key)
        tagged = ctx.client.calls["createTags"]
        made = operation.finish(ctx, change, sent, ctx.client.wait(change.kind, sent.job_id))
        assert made == sent.resource_id
        assert ctx.client.calls["createTags"] == tagged  # finishing writes nothing again
