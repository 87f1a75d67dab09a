"""A Kubernetes cluster marked ``protected`` keeps the mark on its project, as its record
(clusters take no tags): the plan and the policy input show it, and the executor refuses to
replace or delete it, whatever the policies said. Unprotected in a change of its own, it may
go."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.apply.operations.tags import protection_tag
from app.cloudstack.catalog import tag_map
from app.cloudstack.inventory import KUBERNETES_TAG
from app.plan.model import Action
from app.policy.input import build_input
from tests.apply.test_apply_affinity_nat import make_repo
from tests.apply.test_apply_kubernetes import CLUSTER, FILE, PROJECT, _cluster, _record
from tests.apply.world import World, sandbox_world

ADDRESS = "payments/kubernetes_cluster/apps"
MARKED = CLUSTER.replace("}", ", protected: true}")
PROTECTED = PROJECT.replace(CLUSTER, MARKED)


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    with sandbox_world(make_repo(tmp_path, PROTECTED)[0]) as made:
        made.apply(made.plan())
        yield made


def _mark(world: World) -> str | None:
    ctx = world.context("payments")
    (project,) = ctx.client.list("listProjects", id=ctx.project_id)
    return tag_map(project).get(protection_tag(KUBERNETES_TAG + "apps"))


def test_a_protected_clusters_replace_is_refused_at_apply(world: World, tmp_path: Path) -> None:
    assert (_record(world), _mark(world)) == (world.repo, "true")
    assert world.plan().changes == ()  # the mark read back is the repo's
    made = str(_cluster(world)["id"])
    world.edit(FILE, PROTECTED.replace(MARKED, MARKED.replace("}", ", description: shop}")))
    plan = world.plan()
    (change,) = plan.changes
    assert (change.action, change.address, change.protected) == (Action.REPLACE, ADDRESS, True)
    (shown,) = build_input(plan, world.desired)["changes"]
    assert (shown["protected"], shown["before"]["protected"]) == (True, True)
    run = world.execute(plan, tmp_path / "journal.db")  # no policy judged this plan
    assert run.state == "failed"
    states = {(s.action, s.state) for s in run.steps}
    assert states == {("delete", "failed"), ("create", "skipped")}  # a replace's two steps
    (refused,) = [s for s in run.steps if s.state == "failed"]
    assert refused.error is not None and refused.error.startswith(
        f"refused: {ADDRESS} is protected"
    )
    assert str(_cluster(world)["id"]) == made


def test_unprotected_in_a_change_of_its_own_the_cluster_may_go(
    world: World, tmp_path: Path
) -> None:
    world.edit(FILE, PROJECT)
    plan = world.plan()
    assert [(c.action, [f.field for f in c.changed]) for c in plan.changes] == [
        (Action.UPDATE, ["protected"])
    ]
    assert world.execute(plan, tmp_path / "unprotect.db").succeeded
    assert (_record(world), _mark(world)) == (world.repo, None)
    world.edit(FILE, PROJECT.split("kubernetes_clusters:")[0])
    (change,) = world.plan().changes
    assert (change.action, change.protected) == (Action.DELETE, False)
    assert world.execute(world.plan(), tmp_path / "delete.db").succeeded
    assert (_record(world), _mark(world)) == (None, None)
