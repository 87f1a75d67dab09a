"""The executor refuses to destroy anything protected, whoever hands it the plan: the run
fails, each protected step says why, and nothing else in the run is sent to the cloud."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from app.apply.executor import Executor
from app.apply.journal import Journal, Run
from app.plan.model import Action, Plan
from app.store.database import open_store
from tests.apply.world import COMMIT, World, applied_examples

PAYMENTS = "projects/payments.yaml"


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    with applied_examples(tmp_path_factory.mktemp("repo")) as made:
        yield made


@pytest.fixture
def edited(world: World) -> Iterator[World]:
    """The world whose payments file a test edits, put back afterwards."""
    text = (world.root / PAYMENTS).read_text()
    yield world
    world.edit(PAYMENTS, text)


def executed(world: World, plan: Plan, tmp_path: Path) -> Run:
    journal = Journal(open_store(f"sqlite:///{tmp_path / 'journal.db'}"))
    run = journal.start(plan, COMMIT, "someone")
    return Executor(world.clouds, journal, 2).apply(run, world.desired, COMMIT)


def live_ids(world: World) -> dict[str, str]:
    return world.context("payments").ids


def test_a_protected_volume_handed_over_for_deletion_is_refused(
    edited: World, tmp_path: Path
) -> None:
    text = (edited.root / PAYMENTS).read_text()
    start = text.index("volumes:\n  db-1-data:")
    edited.edit(PAYMENTS, text[:start] + text[text.index("\n\n", start) + 2 :])
    plan = edited.plan()
    assert [(c.action, c.address, c.protected) for c in plan.changes] == [
        (Action.DELETE, "payments/volume/db-1-data", True)
    ]
    before = live_ids(edited)
    run = executed(edited, plan, tmp_path)
    assert run.state == "failed" and not run.succeeded
    (step,) = run.steps
    assert step.state == "failed"
    assert step.error is not None and step.error.startswith(
        "refused: payments/volume/db-1-data is protected"
    )
    assert live_ids(edited) == before  # nothing deleted


def test_a_change_that_only_says_protected_before_is_refused_too(
    edited: World, tmp_path: Path
) -> None:
    """The live object's own view (``before``) is enough, whatever the change's flag says."""
    text = (edited.root / PAYMENTS).read_text()
    start = text.index("volumes:\n  db-1-data:")
    edited.edit(PAYMENTS, text[:start] + text[text.index("\n\n", start) + 2 :])
    (change,) = edited.plan().changes
    plan = replace(edited.plan(), changes=(replace(change, protected=False),))
    run = executed(edited, plan, tmp_path)
    assert [s.state for s in run.steps] == ["failed"]
    assert live_ids(edited)["volume/db-1-data"] == change.live_id


def test_a_replace_reaching_a_protected_instance_runs_nothing(
    edited: World, tmp_path: Path
) -> None:
    """A new range for app-net replaces the network and everything on it, db-1 (protected)
    too: the whole run is refused, so no unprotected VM is taken down either."""
    text = (edited.root / PAYMENTS).read_text()
    edited.edit(PAYMENTS, text.replace("10.1.0.0/24", "10.1.8.0/24", 1))
    plan = edited.plan()
    replaced = {c.address for c in plan.changes if c.action is Action.REPLACE}
    assert {"payments/network/app-net", "payments/instance/db-1"} <= replaced
    before = live_ids(edited)
    run = executed(edited, plan, tmp_path)
    assert run.state == "failed"
    refused = [s for s in run.steps if s.state == "failed"]
    assert [(s.action, s.address) for s in refused] == [("delete", "payments/instance/db-1")]
    assert refused[0].error is not None and "is protected" in refused[0].error
    others = [s for s in run.steps if s.state != "failed"]
    assert {s.state for s in others} == {"skipped"}
    assert all("payments/instance/db-1 is protected" in (s.error or "") for s in others)
    assert live_ids(edited) == before  # nothing deleted, nothing made
