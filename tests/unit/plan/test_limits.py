"""`limits:` against the cloud's limits: one updateResourceLimit change per difference."""

from __future__ import annotations

import pytest

from app.plan.limits import api_limit
from app.plan.model import Action, Change, FieldChange, Plan
from app.spec.diagnostics import Code, Location
from app.spec.units import Size

from .cloud import FILE, base_objects, live, only, plan_of, usage

HEAD = "zone: zone-a\nlimits:\n"  # limits start on line 3


def _plan(limits: str, **quotas: tuple[int, int | None]) -> Plan:
    return plan_of(HEAD + limits, state=live([], usages={"app": usage(**quotas)}))


def _limit(name: str, before: int | None, after: int | None, line: int) -> Change:
    return Change(
        Action.UPDATE,
        "limits",
        "app",
        name,
        {"limit": before},
        {"limit": after},
        (FieldChange("limit", before, after),),
        file=FILE,
        line=line,
    )


def test_count_limits() -> None:
    plan = _plan("  instances: 20\n  cpu: 64\n", instances=(0, 10), cpu=(0, 40))
    assert plan.changes == (_limit("cpu", 40, 64, 4), _limit("instances", 10, 20, 3))


def test_memory_is_in_mib_and_primary_storage_in_gib() -> None:
    plan = _plan(
        "  memory: 128GiB\n  primary_storage: 2TiB\n  secondary_storage: 500GiB\n",
        memory=(0, 40960),
        primary_storage=(0, 200),
        secondary_storage=(0, 400),
    )
    assert plan.changes == (
        _limit("memory", 40960, 131072, 3),
        _limit("primary_storage", 200, 2048, 4),
        _limit("secondary_storage", 400, 500, 5),
    )


def test_a_memory_limit_need_not_be_whole_gib() -> None:
    assert only(_plan("  memory: 1536MiB\n", memory=(0, 1024))) == _limit("memory", 1024, 1536, 3)


def test_unlimited_both_ways() -> None:
    plan = _plan("  cpu: unlimited\n  volumes: 30\n", cpu=(0, 40), volumes=(0, None))
    assert plan.changes == (_limit("cpu", 40, None, 3), _limit("volumes", None, 30, 4))


def test_unchanged_limits_are_no_change() -> None:
    plan = _plan(
        "  cpu: 40\n  memory: 40GiB\n  primary_storage: 1TiB\n  networks: unlimited\n",
        cpu=(3, 40),
        memory=(0, 40960),
        primary_storage=(0, 1024),
        networks=(1, None),
    )
    assert plan.changes == () and plan.diagnostics == ()


def test_limits_left_out_of_the_repo_are_left_alone() -> None:
    plan = plan_of("zone: zone-a\n", state=live([], usages={"app": usage(cpu=(0, 1))}))
    assert plan.changes == ()


def test_no_quota_figures_no_limit_changes() -> None:
    assert plan_of(HEAD + "  cpu: 64\n", []).changes == ()


@pytest.mark.parametrize("resource", ["primary_storage", "secondary_storage"])
def test_a_storage_limit_that_is_not_whole_gib_is_refused(resource: str) -> None:
    plan = _plan(f"  {resource}: 1536MiB\n  cpu: 8\n", cpu=(0, 4), **{resource: (0, 100)})
    assert plan.changes == (_limit("cpu", 4, 8, 4),)
    (problem,) = plan.diagnostics
    assert (problem.code, problem.is_error) == (Code.DISK_SIZE, True)
    assert problem.message == f"limit {resource} must be whole GiB"
    assert (problem.location, problem.hint) == (
        Location(FILE, 3, 5 + len(resource)),
        "round it to GiB",
    )


def test_limits_are_planned_with_the_objects_and_apply_first() -> None:
    plan = _plan("  cpu: 8\n", cpu=(0, 4))
    assert only(plan).kind == "limits"
    text = (
        HEAD
        + "  cpu: 8\nnetworks:\n  n: {offering: DefaultSharedNetworkOffering, cidr: 10.0.0.0/24}\n"
    )
    both = plan_of(text, state=live(base_objects()[:0], usages={"app": usage(cpu=(0, 4))}))
    assert [(c.action.value, c.kind) for c in both.changes] == [
        ("update", "limits"),
        ("create", "network"),
    ]


@pytest.mark.parametrize(
    ("resource", "value", "expected"),
    [
        ("instances", 5, 5),
        ("cpu", "unlimited", None),
        ("memory", Size(2048), 2048),
        ("memory", "unlimited", None),
        ("primary_storage", Size(3 * 1024 * 1024), 3072),
        ("secondary_storage", Size(10 * 1024), 10),
    ],
)
def test_api_limit_units(resource: str, value: int | Size | str, expected: int | None) -> None:
    assert api_limit(resource, value) == expected
