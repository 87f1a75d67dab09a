"""Drift from literal plans: each action is one kind of disagreement, sorted by address."""

from __future__ import annotations

from app.plan.drift import DriftKind, drift_of
from app.plan.model import Action, Change, FieldChange, Plan
from app.report.drift import detail


def _change(action: Action, name: str, before=None, after=None, changed=()) -> Change:
    return Change(action, "network", "payments", name, before, after, changed)


def test_each_action_is_a_kind_of_drift() -> None:
    plan = Plan(
        "acme/infra",
        ("payments",),
        (
            _change(Action.DELETE, "old", before={"cidr": "10.9.0.0/24", "offering": "o"}),
            _change(Action.CREATE, "new", after={"cidr": "10.1.0.0/24", "offering": "o"}),
            _change(
                Action.UPDATE,
                "app",
                {"description": "a"},
                {"description": "b"},
                (FieldChange("description", "a", "b"),),
            ),
        ),
    )
    found = drift_of(plan)
    assert [(d.change.name, d.kind) for d in found] == [
        ("app", DriftKind.CHANGED),
        ("new", DriftKind.MISSING),
        ("old", DriftKind.LEFTOVER),
    ]
    assert detail(found[0]) == "cloud → repo: description: a → b"
    assert detail(found[1]).startswith("in the repo, not in the cloud: 10.1.0.0/24")
    assert detail(found[2]).startswith("in the cloud, gone from the repo: 10.9.0.0/24")


def test_an_empty_plan_is_no_drift() -> None:
    assert drift_of(Plan("acme/infra", ("payments",), ())) == ()


def test_an_adopt_is_drift_to_adopt() -> None:
    change = _change(Action.ADOPT, "app", {"cidr": "10.1.0.0/24"}, {"cidr": "10.1.0.0/24"})
    (found,) = drift_of(Plan("acme/infra", ("payments",), (change,)))
    assert found.kind is DriftKind.UNADOPTED
    assert detail(found).startswith("in the repo, and in the cloud untagged (adopt it")
