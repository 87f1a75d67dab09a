"""The plan's versioned JSON form: lossless round trip, a hash of what it says, versions checked."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest

from app.plan.cost import Prices
from app.plan.model import Action, FieldChange, Plan
from app.plan.serialize import from_dict, plan_hash, to_dict, to_json

from .cloud import (
    BASE,
    base_objects,
    edit,
    live,
    obj,
    plan_of,
    public_ip,
    swap,
    usage,
    volume,
)


def _rich() -> Plan:
    """Every part a plan can hold: each action, quotas, costs, an error and a warning."""
    text = edit("limits: {instances: 10, cpu: 20}", "limits: {instances: 12, cpu: 20}")
    text = edit("offering: small,", "offering: medium,", text)
    text = edit("ports: 443,", "ports: 8443,", text)
    objects = swap(base_objects(), volume(size_gib=30, labels={"x": "y"}))  # shrink: SG208
    objects = swap(objects, public_ip(network="old-net"))  # replace, and its followers
    objects = [*objects, obj("volume", "old", {"size_gib": 5}, protected=True)]  # a delete
    text = edit(
        "attach_to: web-1}\n", "attach_to: web-1}\n  kept: {offering: standard, size: 5GiB}\n", text
    )
    kept = obj("volume", "kept", {"offering": "standard", "size_gib": 5, "zone": "zone-a"})
    state = live(objects, usages={"app": usage(instances=(9, 10), cpu=(17, 20))})
    app = replace(state.projects["app"], untagged=(replace(kept, commit=None),))  # an adopt
    state = replace(state, projects={"app": app})
    plan = plan_of(text, state=state, prices=Prices(cpu=10))
    assert {c.action for c in plan.changes} == set(Action) - {Action.NOOP}
    assert plan.quotas and plan.costs and plan.has_errors
    assert any(c.protected for c in plan.changes)
    assert {d.severity.value for d in plan.diagnostics} == {"error", "warning"}
    return plan


def test_round_trip_gives_an_equal_plan() -> None:
    plan = _rich()
    again = from_dict(to_dict(plan))
    assert to_dict(again) == to_dict(plan)
    assert again == plan


def test_round_trip_through_json_text() -> None:
    plan = _rich()
    text = to_json(plan)
    assert text.endswith("}\n")
    again = from_dict(json.loads(text))
    assert to_dict(again) == to_dict(plan) == json.loads(text)


def test_the_form_carries_addresses_counts_and_the_hash() -> None:
    plan = _rich()
    body = to_dict(plan)
    assert body["format_version"] == 1 and body["summary"] == plan.summary
    assert body["counts"] == plan.counts
    assert body["hash"] == plan_hash(plan)
    first = body["changes"][0]
    assert first["address"] == "app/limits/instances"
    assert first["changed"] == [{"field": "limit", "before": 10, "after": 12}]
    replaced = next(c for c in body["changes"] if c["action"] == "replace")
    assert replaced["destructive"] is True and replaced["lost"]
    assert body["quotas"][0]["after"] == body["quotas"][0]["used"] + body["quotas"][0]["change"]
    assert {"headroom", "status"} <= set(body["quotas"][0])
    assert body["costs"][0]["delta"] == plan.costs[0].delta


def test_the_hash_ignores_how_long_reading_took() -> None:
    plan = _rich()
    other = replace(plan, api_calls=plan.api_calls + 500, read_seconds=99.9)
    assert plan_hash(other) == plan_hash(plan)
    assert len(plan_hash(plan)) == 64


def _edit_change(plan: Plan, **fields: Any) -> Plan:
    changes = list(plan.changes)
    changes[-1] = replace(changes[-1], **fields)
    return replace(plan, changes=tuple(changes))


@pytest.mark.parametrize(
    "fields",
    [
        {"action": Action.UPDATE_STOP},
        {"name": "renamed"},
        {"reason": "another reason"},
        {"lost": "something else"},
        {"after": {"members": ["web-2"]}},
        {"before": None},
        {"changed": (FieldChange("members", [], ["web-2"]),)},
        {"file": "projects/other.yaml"},
        {"line": 99},
        {"live_id": "another-id"},
        {"protected": True},
    ],
    ids=lambda fields: next(iter(fields)),
)
def test_the_hash_changes_when_any_change_differs(fields: dict[str, Any]) -> None:
    plan = _rich()
    assert plan_hash(_edit_change(plan, **fields)) != plan_hash(plan)


def test_the_hash_changes_with_quotas_costs_diagnostics_and_the_live_fingerprint() -> None:
    plan = _rich()
    others = [
        replace(plan, quotas=(replace(plan.quotas[0], pending=1), *plan.quotas[1:])),
        replace(plan, costs=(replace(plan.costs[0], after=1.5),)),
        replace(plan, diagnostics=plan.diagnostics[1:]),
        replace(plan, live_fingerprint="0" * 64),
        replace(plan, changes=plan.changes[1:]),
    ]
    hashes = {plan_hash(other) for other in others}
    assert len(hashes) == len(others) and plan_hash(plan) not in hashes


def test_the_same_inputs_give_the_same_hash() -> None:
    assert plan_hash(_rich()) == plan_hash(_rich())
    assert plan_hash(plan_of(BASE, [])) != plan_hash(plan_of(BASE, base_objects()))


@pytest.mark.parametrize("version", [0, 2, None, "1"])
def test_another_format_version_is_refused(version: object) -> None:
    body = to_dict(_rich())
    body["format_version"] = version
    with pytest.raises(ValueError, match="plan format"):
        from_dict(body)
