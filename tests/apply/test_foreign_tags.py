"""Tags another tool put on a managed object are not stackgate's: never planned, never removed.

stackgate owns its ``stackgate.*`` tags and the labels it recorded writing; a backup tool's
``backup=daily`` on a VM stays through every plan and apply, and a label taken out of the
repo still goes. Objects tagged before the record existed take the repo's labels as theirs.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from app.cloudstack.catalog import tag_map
from app.plan.model import Action
from tests.apply.world import World, applied_examples

PAYMENTS = "projects/payments.yaml"
BACKUP = {"backup": "daily"}


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    with applied_examples(tmp_path_factory.mktemp("repo")) as made:
        yield made


def _vm_tags(world: World, name: str) -> dict[str, str]:
    ctx = world.context("payments")
    (vm,) = ctx.client.list(
        "listVirtualMachines", id=ctx.ids[f"instance/{name}"], projectid=ctx.project_id
    )
    return tag_map(vm)


def _tag(world: World, name: str, tags: dict[str, str], command: str = "createTags") -> None:
    """Someone else (a backup tool, an operator) tags or untags a managed VM."""
    ctx = world.context("payments")
    pairs = [{"key": key, "value": value} for key, value in tags.items()]
    vm = ctx.ids[f"instance/{name}"]
    ctx.client.run(command, resourcetype="UserVm", resourceids=vm, tags=pairs)


def test_a_foreign_tag_on_a_managed_vm_changes_no_plan(world: World) -> None:
    _tag(world, "web-1", BACKUP)
    assert world.plan().changes == ()
    _tag(world, "web-1", BACKUP, "deleteTags")


def test_a_label_removed_from_the_repo_goes_and_the_foreign_tag_stays(world: World) -> None:
    _tag(world, "bastion", BACKUP)
    text = (world.root / PAYMENTS).read_text()
    world.edit(
        PAYMENTS, text.replace('cost-center: "4711", role: bastion}', 'cost-center: "4711"}')
    )
    plan = world.plan()
    assert [(c.address, c.action) for c in plan.changes] == [
        ("payments/instance/bastion", Action.UPDATE)
    ]
    (change,) = plan.changes
    assert "backup" not in (change.before or {})["labels"]
    world.apply(plan)
    tags = _vm_tags(world, "bastion")
    assert "role" not in tags and tags["backup"] == "daily"
    assert world.plan().changes == ()
    world.edit(PAYMENTS, text)
    world.apply(world.plan())
    assert _vm_tags(world, "bastion")["role"] == "bastion"
    _tag(world, "bastion", BACKUP, "deleteTags")


def test_an_object_tagged_before_the_record_takes_the_repo_labels_as_its_own(
    world: World,
) -> None:
    """No record of label keys (tagged by an older stackgate): the tags the repo names as
    labels are stackgate's, every other one is left alone; the next update writes the record."""
    recorded = _vm_tags(world, "db-1")["stackgate.labels"]
    _tag(world, "db-1", {"stackgate.labels": recorded}, "deleteTags")
    _tag(world, "db-1", BACKUP)
    assert world.plan().changes == ()
    text = (world.root / PAYMENTS).read_text()
    world.edit(
        PAYMENTS,
        text.replace(
            'owner: alice, cost-center: "4711", role: db',
            'owner: carol, cost-center: "4711", role: db',
        ),
    )
    (change,) = world.plan().changes
    assert change.address == "payments/instance/db-1" and change.action is Action.UPDATE
    assert (change.before or {})["labels"] == {
        "cost-center": "4711",
        "owner": "alice",
        "role": "db",
        "team": "payments",
    }
    world.apply(world.plan())
    tags = _vm_tags(world, "db-1")
    assert tags["owner"] == "carol" and tags["backup"] == "daily"
    assert tags["stackgate.labels"] == recorded
    assert world.plan().changes == ()
    world.edit(PAYMENTS, text)
    world.apply(world.plan())
    _tag(world, "db-1", BACKUP, "deleteTags")
