"""Quota impact: footprints, used + change + pending = after, headroom, warnings and errors."""

from __future__ import annotations

import pytest

from app.cloudstack.model import LiveObject, ProjectUsage
from app.plan.model import Plan, QuotaLine
from app.plan.quota import Pending, footprint
from app.spec.diagnostics import Code, Location, Severity

from .cloud import (
    BASE,
    FILE,
    ISOLATED,
    SHARED,
    base_objects,
    catalog,
    edit,
    instance,
    live,
    network,
    plan_of,
    swap,
    usage,
    volume,
)

ROOMY = {  # (used, limit) with room for everything BASE adds; BASE's own limits for two
    "instances": (3, 10),
    "cpu": (5, 20),
    "memory": (8192, 102400),
    "volumes": (4, 100),
    "primary_storage": (200, 10000),
    "networks": (1, 100),
    "public_ips": (1, 100),
}
LIMITS_AT = Location(FILE, 2, 1)  # BASE's 'limits:' line
OVER_HINT = "remove something, or raise 'limits:' (needs the platform team's approval)"


def _usage(**quotas: tuple[int, int | None]) -> ProjectUsage:
    return usage(**{**ROOMY, **quotas})


def _plan(
    text: str = BASE, objects: list[LiveObject] | None = None, /, **quotas: tuple[int, int | None]
) -> Plan:
    return plan_of(text, state=live(objects or [], usages={"app": _usage(**quotas)}))


def _line(plan: Plan, resource: str) -> QuotaLine:
    (found,) = [q for q in plan.quotas if q.resource == resource]
    return found


# ---- footprints -------------------------------------------------------------------------------


def test_an_instance_counts_itself_its_cores_memory_root_volume_and_root_disk() -> None:
    wanted = {"offering": "medium", "root_disk_gib": 40}
    assert footprint("instance", wanted, catalog()) == {
        "instances": 1,
        "cpu": 2,
        "memory": 4096,
        "volumes": 1,
        "primary_storage": 40,
    }


def test_a_live_instance_counts_what_the_cloud_says_it_has() -> None:
    found = {"offering": "small", "cpu": 3, "memory_mib": 3072, "root_disk_gib": 12}
    assert footprint("instance", found, catalog())["cpu"] == 3
    assert footprint("instance", found, catalog())["memory"] == 3072


def test_other_footprints() -> None:
    cloud = catalog()
    assert footprint("volume", {"size_gib": 20}, cloud) == {"volumes": 1, "primary_storage": 20}
    assert footprint("network", {"offering": ISOLATED}, cloud) == {"networks": 1, "public_ips": 1}
    assert footprint("network", {"offering": SHARED}, cloud) == {"networks": 1, "public_ips": 0}
    assert footprint("public_ip", {"network": "n"}, cloud) == {"public_ips": 1}
    assert footprint("firewall", {"ip": "x"}, cloud) == {}
    assert footprint("instance", None, cloud) == {}


# ---- lines -----------------------------------------------------------------------------------


def test_creating_everything_adds_each_footprint() -> None:
    plan = _plan()
    assert plan.quotas == (
        QuotaLine("app", "instances", "count", 3, 1, 0, 10),
        QuotaLine("app", "cpu", "count", 5, 1, 0, 20),
        QuotaLine("app", "memory", "MiB", 8192, 2048, 0, 102400),
        QuotaLine("app", "volumes", "count", 4, 2, 0, 100),  # the root volume and 'data'
        QuotaLine("app", "primary_storage", "GiB", 200, 30, 0, 10000),  # 10GiB root + 20GiB
        QuotaLine("app", "networks", "count", 1, 1, 0, 100),
        QuotaLine("app", "public_ips", "count", 1, 2, 0, 100),  # source NAT + web-ip
    )
    assert plan.diagnostics == ()


def test_used_plus_change_plus_pending_is_after_and_headroom_is_what_is_left() -> None:
    plan = plan_of(
        BASE, state=live([], usages={"app": _usage()}), pending=Pending({"app": {"cpu": 7}})
    )
    cpu = _line(plan, "cpu")
    assert (cpu.used, cpu.change, cpu.pending, cpu.after, cpu.limit) == (5, 1, 7, 13, 20)
    assert cpu.headroom == 7 and cpu.status == "ok"


def test_pending_of_other_projects_does_not_count() -> None:
    plan = plan_of(
        BASE, state=live([], usages={"app": _usage()}), pending=Pending({"other": {"cpu": 7}})
    )
    assert _line(plan, "cpu").pending == 0


def test_only_resources_the_cloud_reports_get_a_line() -> None:
    plan = plan_of(BASE, state=live([], usages={"app": usage(cpu=(0, 10))}))
    assert [q.resource for q in plan.quotas] == ["cpu"]


def test_a_project_without_quota_figures_has_no_lines() -> None:
    assert plan_of(BASE, []).quotas == ()


def test_deletes_free_quota() -> None:
    plan = plan_of("zone: zone-a\n", state=live(base_objects(), usages={"app": _usage()}))
    assert {q.resource: q.change for q in plan.quotas} == {
        "instances": -1,
        "cpu": -1,
        "memory": -2048,
        "volumes": -2,
        "primary_storage": -30,
        "networks": -1,
        "public_ips": -2,
    }


def test_a_project_that_left_the_repo_frees_its_quota_too() -> None:
    state = live(
        [], more={"gone": [volume("v", size_gib=7)]}, usages={"gone": usage("gone", volumes=(1, 5))}
    )
    plan = plan_of(BASE, state=state, projects=["gone"])
    assert plan.quotas == (QuotaLine("gone", "volumes", "count", 1, -1, 0, 5),)


def test_updates_and_replaces_count_only_the_difference() -> None:
    objects = swap(base_objects(), instance(template="debian-12", root_disk_gib=8))
    objects = swap(objects, volume(size_gib=15))
    plan = _plan(edit("offering: small,", "offering: medium,"), objects)
    assert {q.resource: q.change for q in plan.quotas} == {
        "instances": 0,
        "cpu": 1,
        "memory": 2048,
        "volumes": 0,
        "primary_storage": 7,  # root 8 → 10 and data 15 → 20
        "networks": 0,
        "public_ips": 0,
    }


def test_a_network_without_source_nat_takes_no_address() -> None:
    text = f"zone: zone-a\nnetworks:\n  n: {{offering: {SHARED}, cidr: 10.0.0.0/24}}\n"
    plan = plan_of(text, state=live([], usages={"app": _usage()}))
    assert (_line(plan, "networks").change, _line(plan, "public_ips").change) == (1, 0)


def test_a_network_no_vm_has_used_holds_no_source_nat_address_to_free() -> None:
    # CloudStack allocates the source NAT address at the network's first deploy (or takes
    # the first address associated to it, which counts as that public IP): an Allocated
    # network holds none, an Implemented one holds one
    cloud = catalog()
    fresh = {"offering": ISOLATED, "state": "Allocated"}
    assert footprint("network", fresh, cloud) == {"networks": 1, "public_ips": 0}
    used = {"offering": ISOLATED, "state": "Implemented"}
    assert footprint("network", used, cloud) == {"networks": 1, "public_ips": 1}


def test_a_limit_changed_in_the_same_plan_is_the_limit_used() -> None:
    text = edit("limits: {instances: 10, cpu: 20}", "limits: {cpu: 40, memory: unlimited}")
    plan = _plan(text, cpu=(19, 20), memory=(0, 1024))
    assert (_line(plan, "cpu").limit, _line(plan, "cpu").status) == (40, "ok")
    assert _line(plan, "memory").limit is None
    assert plan.diagnostics == ()


# ---- warnings and errors ---------------------------------------------------------------------


def test_at_ninety_percent_a_warning_at_the_limits_line() -> None:
    plan = _plan(cpu=(17, 20))
    assert _line(plan, "cpu").status == "near"
    (warned,) = plan.diagnostics
    assert (warned.severity, warned.code) == (Severity.WARNING, Code.QUOTA_NEAR)
    assert warned.message == "project 'app' would use 18 of 20 cpu (90% or more)"
    assert (warned.location, warned.hint) == (LIMITS_AT, "")
    assert not plan.has_errors


def test_just_below_ninety_percent_is_quiet() -> None:
    plan = _plan(cpu=(16, 20))  # 17 of 20 = 85%
    assert _line(plan, "cpu").status == "ok" and plan.diagnostics == ()


@pytest.mark.parametrize(
    ("resource", "quota", "message"),
    [
        ("cpu", (21, 20), "project 'app' would use 22 of 20 cpu (2 over the limit)"),
        (
            "memory",
            (7168, 8192),
            "project 'app' would use 9GiB of 8GiB memory (1GiB over the limit)",
        ),
        (
            "memory",
            (7000, 8192),
            "project 'app' would use 9048MiB of 8GiB memory (856MiB over the limit)",
        ),
        (
            "primary_storage",
            (90, 100),
            "project 'app' would use 120GiB of 100GiB primary storage (20GiB over the limit)",
        ),
        ("public_ips", (0, 1), "project 'app' would use 2 of 1 public ips (1 over the limit)"),
    ],
)
def test_over_a_limit_is_an_error_in_its_units(
    resource: str, quota: tuple[int, int], message: str
) -> None:
    plan = _plan(**{resource: quota})
    assert _line(plan, resource).status == "over"
    assert _line(plan, resource).headroom == quota[1] - _line(plan, resource).after
    (problem,) = plan.diagnostics
    assert (problem.severity, problem.code, problem.message) == (
        Severity.ERROR,
        Code.QUOTA_EXCEEDED,
        message,
    )
    assert (problem.location, problem.hint) == (LIMITS_AT, OVER_HINT)
    assert plan.has_errors


def test_pending_changes_can_take_a_plan_over() -> None:
    plan = plan_of(
        BASE,
        state=live([], usages={"app": _usage(instances=(5, 10))}),
        pending=Pending({"app": {"instances": 5}}),
    )
    assert _line(plan, "instances").after == 11
    assert [d.code for d in plan.diagnostics] == [Code.QUOTA_EXCEEDED]


def test_unlimited_never_warns() -> None:
    plan = _plan(memory=(10**9, None))
    assert (_line(plan, "memory").headroom, _line(plan, "memory").status) == (None, "ok")
    assert plan.diagnostics == ()


def test_a_plan_that_adds_nothing_is_not_blamed_for_a_project_already_over() -> None:
    """Otherwise the pull request that removes an instance could never merge."""
    text = "zone: zone-a\nlimits: {cpu: 20}\n"
    plan = plan_of(
        text, state=live(base_objects(), usages={"app": _usage(cpu=(30, 20), instances=(19, 20))})
    )
    assert _line(plan, "cpu").status == "over" and _line(plan, "cpu").change == -1
    assert plan.diagnostics == ()


def test_lowering_a_limit_below_what_is_used_is_an_error() -> None:
    text = edit("limits: {instances: 10, cpu: 20}", "limits: {cpu: 4}")
    plan = _plan(text, base_objects(), cpu=(6, 20))
    assert [(q.change, q.limit) for q in plan.quotas if q.resource == "cpu"] == [(0, 4)]
    assert [d.message for d in plan.diagnostics] == [
        "project 'app' would use 6 of 4 cpu (2 over the limit)"
    ]


def test_without_a_limits_line_the_diagnostic_points_at_the_project() -> None:
    plan = plan_of(
        "zone: zone-a\n" + BASE.split("\n", 2)[2],
        state=live([], usages={"app": _usage(cpu=(19, 20))}),
    )
    assert [(d.code, d.location) for d in plan.diagnostics] == [
        (Code.QUOTA_NEAR, Location(FILE, 1, 1))
    ]


def test_quota_status_edges() -> None:
    def status(after: int, limit: int | None) -> str:
        return QuotaLine("p", "cpu", "count", after, 0, 0, limit).status

    assert [status(9, 10), status(8, 10), status(10, 10), status(11, 10)] == [
        "near",
        "ok",
        "near",
        "over",
    ]
    assert [status(0, 0), status(1, 0), status(5, None)] == ["ok", "over", "ok"]


def test_the_first_instance_on_a_network_no_vm_used_counts_the_address_it_takes() -> None:
    """Its deploy implements the network, whose router takes a source NAT address; a network
    already holding one (or with one associated) takes none, nor does a network made by the
    same plan twice (its own footprint counts it)."""
    fresh = [network(state="Allocated")]
    objects = [o for o in base_objects() if o.kind != "network"] + fresh
    web = [o for o in objects if o.kind != "instance"]
    assert _line(_plan(BASE, web, **ROOMY), "public_ips").change == 1
    assert _line(_plan(BASE, objects, **ROOMY), "public_ips").change == 0  # web-1 runs on it
    used = swap(web, network(state="Implemented"))
    assert _line(_plan(BASE, used, **ROOMY), "public_ips").change == 0
