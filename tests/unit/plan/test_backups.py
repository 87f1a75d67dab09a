"""Templates and snapshot policies against live ones: what changes in place, what is replaced,
what follows a replaced disk or template, and what they count against the project's quota."""

from __future__ import annotations

from typing import Any

from app.apply.executor import unsupported
from app.cloudstack.model import LiveObject

from .cloud import (
    BASE,
    base_objects,
    change,
    edit,
    instance,
    live,
    obj,
    only,
    plan_of,
    swap,
    usage,
    volume,
)

SHA = "{SHA-256}" + "9f" * 32
GOLDEN = f"""\
templates:
  golden:
    url: https://images.example.com/golden.qcow2
    checksum: "{SHA}"
    format: QCOW2
    hypervisor: KVM
    os_type: Debian GNU/Linux 12 (64-bit)
    description: our image
"""
DAILY = '{schedule: daily, time: "02:30", timezone: Europe/Berlin, keep: 7}'
REPO = edit(
    "  data: {offering: standard, size: 20GiB, attach_to: web-1}",
    f"  data: {{offering: standard, size: 20GiB, attach_to: web-1, snapshot_policy: {DAILY}}}",
    BASE + GOLDEN,
)


def template(**fields: Any) -> LiveObject:
    values = {
        "url": "https://images.example.com/golden.qcow2",
        "checksum": SHA,
        "format": "QCOW2",
        "hypervisor": "KVM",
        "os_type": "Debian GNU/Linux 12 (64-bit)",
        "zones": ["zone-a"],
        "description": "our image",
        "download_error": None,
    }
    return obj("template", "golden", {**values, **fields})


def policy(**fields: Any) -> LiveObject:
    values = {"volume": "data", "interval": "daily", "schedule": "30:02", "keep": 7}
    return obj("snapshot_policy", "data", {**values, "timezone": "Europe/Berlin", **fields})


def objects(*changed: LiveObject) -> list[LiveObject]:
    found = [*base_objects(), template(), policy()]
    for one in changed:
        found = swap(found, one)
    return found


def test_live_twins_plan_nothing() -> None:
    assert plan_of(REPO, objects()).changes == ()


def test_a_new_schedule_time_zone_or_keep_is_an_update_in_place() -> None:
    for live_policy in (policy(schedule="00:04"), policy(timezone="UTC"), policy(keep=3)):
        found = only(plan_of(REPO, objects(live_policy)))
        assert (found.action.value, found.kind, found.name) == ("update", "snapshot_policy", "data")


def test_another_interval_is_another_policy() -> None:
    found = only(plan_of(REPO, objects(policy(interval="weekly", schedule="30:02:1"))))
    assert (found.action.value, found.reason) == ("replace", "interval cannot change in place")


def test_a_templates_image_is_replaced_and_its_description_updated() -> None:
    for field, value in (("url", "https://x.example/old.qcow2"), ("checksum", "{MD5}" + "a" * 32)):
        plan = plan_of(REPO, objects(template(**{field: value})))
        assert change(plan, "template", "golden").action.value == "replace"
    assert only(plan_of(REPO, objects(template(description="old")))).action.value == "update"
    assert only(plan_of(REPO, objects(template(os_type="Rocky Linux 9")))).action.value == "update"


def test_a_template_whose_download_failed_is_registered_again() -> None:
    failed = template(download_error="HTTP Server returned 404 (expected 200 OK)")
    found = only(plan_of(REPO, objects(failed)))
    assert (found.action.value, found.reason) == (
        "replace",
        "download_error cannot change in place",
    )


def test_apply_makes_every_change_of_these_kinds() -> None:
    changed = objects(template(description="old"), policy(keep=3))
    plans = [plan_of(REPO, changed), plan_of(BASE, objects()), plan_of(REPO, base_objects())]
    assert [unsupported(plan.changes) for plan in plans] == [[], [], []]


def test_a_replaced_volume_or_instance_takes_its_policy_with_it() -> None:
    moved = plan_of(REPO, objects(volume(zone="zone-b")))
    assert change(moved, "snapshot_policy", "data").action.value == "replace"
    root = edit("ssh_key: deploy}", f"ssh_key: deploy, snapshot_policy: {DAILY}}}", REPO)
    root_policy = policy(volume=None, root_of="web-1")
    found = [*objects(instance(template="debian-12")), obj("snapshot_policy", "web-1:root", {})]
    found = swap(found, obj("snapshot_policy", "web-1:root", dict(root_policy.fields)))
    plan = plan_of(root, found)
    assert change(plan, "instance", "web-1").action.value == "replace"
    assert change(plan, "snapshot_policy", "web-1:root").action.value == "replace"


def test_a_replaced_template_takes_the_instances_made_from_it() -> None:
    on_golden = edit("template: ubuntu-22.04", "template: golden", REPO)
    found = objects(template(url="https://x.example/old.qcow2"), instance(template="golden"))
    plan = plan_of(on_golden, found)
    assert change(plan, "instance", "web-1").reason == "its template 'golden' is replaced"


def test_policies_count_the_snapshots_they_keep_and_templates_count_once() -> None:
    state = live(base_objects(), usages={"app": usage(snapshots=(2, 20), templates=(0, 1))})
    quotas = {q.resource: q for q in plan_of(REPO, state=state).quotas}
    assert (quotas["snapshots"].change, quotas["templates"].change) == (7, 1)
    fewer = live(objects(policy(keep=10)), usages={"app": usage(snapshots=(12, 20))})
    assert {q.resource: q.change for q in plan_of(REPO, state=fewer).quotas} == {"snapshots": -3}


def test_more_snapshots_than_the_limit_is_a_quota_error() -> None:
    state = live(base_objects(), usages={"app": usage(snapshots=(0, 5))})
    plan = plan_of(REPO, state=state, clean=False)
    assert [d.message for d in plan.diagnostics] == [
        "project 'app' would use 7 of 5 snapshots (2 over the limit)"
    ]
