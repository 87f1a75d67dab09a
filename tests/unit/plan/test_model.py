"""The Plan value itself: counts, the summary line, addresses and what is destructive."""

from __future__ import annotations

import pytest

from app.plan.model import Action, Change, Plan
from app.spec.diagnostics import Code, Location, error, warning

from .cloud import BASE, base_objects, instance, network, plan_of, swap


def _plan(*kinds: Action) -> Plan:
    changes = tuple(Change(a, "volume", "app", f"v{i}", None, None) for i, a in enumerate(kinds))
    return Plan("repo", ("app",), changes)


def test_summary_counts_update_stop_as_update() -> None:
    plan = _plan(Action.CREATE, Action.CREATE, Action.UPDATE_STOP, Action.DELETE)
    assert plan.summary == "Plan: 2 to create, 1 to update, 0 to replace, 1 to delete"
    assert plan.counts == {
        "create": 2,
        "update": 0,
        "update-stop": 1,
        "replace": 0,
        "delete": 1,
        "adopt": 0,
    }


def test_summary_of_nothing() -> None:
    plan = _plan()
    assert plan.summary == "Plan: 0 to create, 0 to update, 0 to replace, 0 to delete"
    assert not plan.has_changes and set(plan.counts.values()) == {0}
    assert "no-op" not in plan.counts


def test_summary_of_a_computed_plan() -> None:
    text = BASE.replace("offering: small,", "offering: medium, labels: {a: b},")
    objects = [o for o in swap(base_objects(), network(cidr="10.9.0.0/24")) if o.kind != "ssh_key"]
    objects += [instance("old-vm")]
    plan = plan_of(text, objects)
    assert plan.summary == "Plan: 1 to create, 1 to update, 7 to replace, 1 to delete"
    assert plan.counts == {
        "create": 1,
        "update": 1,
        "update-stop": 0,
        "replace": 7,
        "delete": 1,
        "adopt": 0,
    }


@pytest.mark.parametrize(
    ("action", "destructive"),
    [
        (Action.CREATE, False),
        (Action.UPDATE, False),
        (Action.UPDATE_STOP, False),
        (Action.REPLACE, True),
        (Action.DELETE, True),
    ],
)
def test_only_replace_and_delete_are_destructive(action: Action, destructive: bool) -> None:
    change = Change(action, "port_forward", "app", "web-ip:tcp:22->web-1:22", None, None)
    assert change.destructive is destructive
    assert change.address == "app/port_forward/web-ip:tcp:22->web-1:22"


def test_errors_block_and_warnings_do_not() -> None:
    where = Location("projects/app.yaml", 1, 1)
    warned = Plan("r", (), (), diagnostics=(warning(Code.QUOTA_NEAR, "near", where),))
    assert not warned.has_errors
    failed = Plan("r", (), (), diagnostics=(error(Code.QUOTA_EXCEEDED, "over", where),))
    assert failed.has_errors
