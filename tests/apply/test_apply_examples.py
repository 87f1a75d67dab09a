"""Applying the example repo to a fresh cloud, change by change, makes the next plan empty."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from app.apply.operations import operation_for
from app.plan.model import Action
from tests.apply.world import World, sandbox_world


@pytest.fixture(scope="module")
def world() -> Iterator[World]:
    with sandbox_world() as made:
        yield made


def test_find_sees_a_create_only_once_it_is_done(world: World) -> None:
    plan = world.plan()
    change = next(c for c in plan.changes if c.address == "payments/network/app-net")
    operation = operation_for(change.kind, change.action)
    assert operation is not None
    ctx = world.context("payments")
    assert operation.find(ctx, change) is None
    sent = operation.submit(ctx, change)
    assert sent.job_id is None and sent.resource_id  # createNetwork answers at once
    made = operation.finish(ctx, change, sent, {})
    assert made == sent.resource_id
    assert operation.find(ctx, change) == made
    assert operation.find(world.context("search"), change) is None  # another project's


def test_applying_every_change_in_plan_order_converges(world: World) -> None:
    plan = world.plan()
    assert {c.action for c in plan.changes} == {Action.CREATE, Action.UPDATE}
    assert {c.project for c in plan.changes} == {"analytics", "checkout", "payments", "search"}
    world.apply(plan)
    again = world.plan()
    assert [c.address for c in again.changes] == []


def test_the_applied_objects_are_what_the_repo_says(world: World) -> None:
    ctx = world.context("payments")
    web = ctx.client.list("listVirtualMachines", projectid=ctx.project_id, name="web-1")[0]
    assert [nic["networkname"] for nic in web["nic"]] == ["app-net"]
    assert web["keypairs"] == "ops-2026" and web["serviceofferingname"] == "medium"
    balancer = ctx.client.list("listLoadBalancerRules", projectid=ctx.project_id)[0]
    members = ctx.client.list("listLoadBalancerRuleInstances", id=balancer["id"])
    assert sorted(vm["name"] for vm in members) == ["web-1", "web-2"]
    opened = ctx.client.list("listFirewallRules", projectid=ctx.project_id)
    assert sorted(r["cidrlist"] for r in opened) == ["0.0.0.0/0", "192.0.2.0/24"]  # no extras
    data = ctx.client.list("listVolumes", projectid=ctx.project_id, type="DATADISK")
    assert [(v["name"], v["vmname"], v["size"] // 1024**3) for v in data] == [
        ("db-1-data", "db-1", 200)
    ]
