"""Entries taken out of the repo are deleted (an attached volume detached first), and a
network is updated in place; each time the next plan is empty."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from app.apply.operations import operation_for
from app.cloudstack.catalog import tag_map
from app.plan.model import Action
from tests.apply.world import World, applied_examples

ANALYTICS = "projects/analytics.yaml"
PAYMENTS = "projects/payments.yaml"


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    with applied_examples(tmp_path_factory.mktemp("repo")) as made:
        yield made


def test_emptying_a_project_deletes_everything_in_it(world: World) -> None:
    settings = (world.root / ANALYTICS).read_text().split("\nssh_keys:")[0]
    world.edit(ANALYTICS, settings + "\n")
    plan = world.plan()
    assert {c.action for c in plan.changes} == {Action.DELETE}
    assert sorted(c.kind for c in plan.changes) == [
        "firewall", "instance", "instance", "network", "port_forward", "public_ip", "ssh_key",
        "volume", "volume",
    ]  # fmt: skip
    ctx = world.context("analytics")
    for change in plan.changes:
        operation = operation_for(change.kind, change.action)
        assert operation is not None and operation.find(ctx, change) == change.live_id
    world.apply(plan)
    for change in plan.changes:
        operation = operation_for(change.kind, change.action)
        assert operation is not None and operation.find(ctx, change) is None
    assert world.plan().changes == ()
    listed = {
        command: ctx.client.list(command, projectid=ctx.project_id)
        for command in ("listVirtualMachines", "listVolumes", "listNetworks", "listSSHKeyPairs")
    }
    assert {command: rows for command, rows in listed.items() if rows} == {}
    project = ctx.client.list("listProjects", id=ctx.project_id)[0]
    assert not any(key.startswith("stackgate.sshkey.") for key in tag_map(project))


def test_a_network_description_and_labels_change_in_place(world: World) -> None:
    text = (world.root / PAYMENTS).read_text()
    edited = text.replace(
        "    description: web and application tier\n",
        "    description: web tier\n    labels: {tier: web}\n",
    )
    world.edit(PAYMENTS, edited)
    plan = world.plan()
    assert [(c.address, c.action) for c in plan.changes] == [
        ("payments/network/app-net", Action.UPDATE)
    ]
    world.apply(plan)
    assert world.plan().changes == ()
    world.edit(PAYMENTS, text)  # and back: the label goes again
    world.apply(world.plan())
    assert world.plan().changes == ()


def test_load_balancer_members_change_in_place(world: World) -> None:
    text = (world.root / PAYMENTS).read_text()
    world.edit(PAYMENTS, text.replace("members: [web-1, web-2]", "members: [web-1]"))
    plan = world.plan()
    assert [(c.address, c.action) for c in plan.changes] == [
        ("payments/load_balancer/web-lb", Action.UPDATE)
    ]
    world.apply(plan)
    assert world.plan().changes == ()
    ctx = world.context("payments")
    balancer = ctx.ids["load_balancer/web-lb"]
    members = ctx.client.list("listLoadBalancerRuleInstances", id=balancer)
    assert [vm["name"] for vm in members] == ["web-1"]
