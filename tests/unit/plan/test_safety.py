"""What a plan must never do: shrink disks, touch untagged objects, plan from a broken repo."""

from __future__ import annotations

import pytest

from app.cloudstack.model import LiveState
from app.plan.model import Action
from app.spec.diagnostics import Code, Location, Severity

from .cloud import (
    BASE,
    FILE,
    actions,
    base_objects,
    catalog,
    change,
    codes,
    edit,
    instance,
    live,
    network,
    obj,
    only,
    plan_of,
    swap,
    usage,
    volume,
)

SHRINK_HINT = "keep the size, or add a new volume under a new name and move the data"


# ---- disks only grow --------------------------------------------------------------------------


def test_a_shrinking_volume_is_refused_at_its_line_and_changes_nothing() -> None:
    text = edit("size: 20GiB,", "size: 20GiB, labels: {a: b},")  # a harmless change rides along
    plan = plan_of(text, swap(base_objects(), volume(size_gib=30)))
    assert plan.changes == ()
    (problem,) = plan.diagnostics
    assert problem.severity is Severity.ERROR and problem.code is Code.IMPOSSIBLE_CHANGE
    assert problem.message == "volume 'data': a volume cannot shrink (30GiB to 20GiB)"
    assert (problem.location, problem.hint) == (Location(FILE, 8, 3), SHRINK_HINT)
    assert plan.has_errors


def test_a_shrinking_root_disk_is_refused() -> None:
    plan = plan_of(BASE, swap(base_objects(), instance(root_disk_gib=12)))
    assert plan.changes == ()
    assert [(d.code, d.message, d.location) for d in plan.diagnostics] == [
        (
            Code.IMPOSSIBLE_CHANGE,
            "instance 'web-1': a root disk cannot shrink (12GiB to 10GiB)",
            Location(FILE, 6, 3),
        )
    ]


def test_a_replaced_instance_gets_a_new_root_disk_so_a_smaller_one_is_no_shrink() -> None:
    found = instance(template="rocky-9", root_disk_gib=12)  # the new template is 10GiB
    plan = plan_of(BASE, swap(base_objects(), found))
    assert codes(plan) == []
    assert change(plan, "instance", "web-1").action is Action.REPLACE


def test_a_volume_moving_zone_is_replaced_even_if_it_is_smaller() -> None:
    plan = plan_of(BASE, swap(base_objects(), volume(zone="zone-b", size_gib=50)))
    assert only(plan).action is Action.REPLACE and codes(plan) == []


# ---- only what this repo tagged -------------------------------------------------------------


def test_only_objects_in_the_live_state_are_ever_deleted() -> None:
    """Live state holds only objects tagged for this repo; nothing else can become a delete."""
    others = [network("theirs", cidr="10.8.0.0/24")]
    state = live(base_objects(), more={"other": others})
    plan = plan_of("zone: zone-a\n", state=state, projects=["app"])
    ids = {o.id for o in base_objects()}
    assert {c.live_id for c in plan.changes} == ids
    assert all(c.action is Action.DELETE and c.project == "app" for c in plan.changes)


def test_a_project_that_left_the_repo_is_emptied_when_planned_whole() -> None:
    state = live([network("theirs")], more={"other": [network("mine")]})
    plan = plan_of(files={"projects/app.yaml": "zone: zone-a\n"}, state=state)
    assert plan.projects == ("app", "other")
    assert [(c.action.value, c.project, c.name, c.file, c.line) for c in plan.changes] == [
        ("delete", "app", "theirs", FILE, 1),
        ("delete", "other", "mine", "", 0),  # no file left to point at
    ]


def test_a_duplicate_left_by_an_interrupted_apply_is_deleted_with_a_warning() -> None:
    extra = obj("instance", "web-1", instance().fields, id="0123456789abcdef")
    state = live(base_objects(), duplicates=(extra,))
    plan = plan_of(BASE, state=state)
    gone = only(plan)
    assert (gone.action, gone.kind, gone.name, gone.live_id) == (
        Action.DELETE,
        "instance",
        "web-1#01234567",  # an address of its own: the web-1 that stays is not touched
        "0123456789abcdef",
    )
    assert gone.reason == "a second object with this name, left by an interrupted apply"
    assert gone.lost == "the instance and everything on its root disk"
    (warned,) = plan.diagnostics
    assert warned.severity is Severity.WARNING and warned.code is Code.DUPLICATE_LIVE
    assert warned.message == "instance 'web-1' exists twice in the cloud; the extra one goes"
    assert warned.location == Location(FILE, 1, 1)
    assert not plan.has_errors


# ---- a repo with errors is not planned where the errors are --------------------------------

BROKEN = {
    "yaml syntax": {FILE: "zone: zone-a\nnetworks: [\n"},
    "empty file": {FILE: ""},
    "unknown field": {FILE: edit("cidr: 10.1.0.0/24}", "cidr: 10.1.0.0/24, cidrr: x}")},
    "dangling reference": {FILE: edit("networks: [app-net]", "networks: [nope]")},
    "bad size": {FILE: edit("size: 20GiB", "size: 20GB")},
    "one file of a folder": {
        "projects/app/main.yaml": "zone: zone-a\n",
        "projects/app/more.yaml": "instances: {\n",
    },
    "repo settings": {"stackgate.yaml": "defualts: {zone: zone-a}\n", FILE: "zone: zone-a\n"},
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_a_project_with_a_broken_file_is_not_planned(case: str) -> None:
    plan = plan_of(files=BROKEN[case], state=live(base_objects()), clean=False)
    assert plan.changes == () and plan.quotas == ()
    assert plan.has_errors and "app" in plan.projects
    assert all(d.code.value < "SG200" for d in plan.diagnostics)  # only the repo's own problems


def test_a_broken_project_does_not_stop_the_others() -> None:
    files = {FILE: "zone: zone-a\nnetworks: [\n", "projects/other.yaml": BASE}
    plan = plan_of(files=files, state=live(base_objects(), more={"other": []}), clean=False)
    assert {c.project for c in plan.changes} == {"other"}
    assert len(plan.changes) == 9 and codes(plan) == ["SG101"]


def test_an_unreadable_file_holds_back_the_deletes_of_projects_that_left_the_repo() -> None:
    """The file may have been the one that named the project; its deletes would be a guess."""
    files = {"projects/other.yaml": "zone: zone-a\n", "projects/typo.yaml": "zone: [\n"}
    state = live([network()], more={"other": []})
    plan = plan_of(files=files, state=state, clean=False)
    assert plan.changes == () and codes(plan) == ["SG101"]


# ---- the cloud must know the project (or its domain) and answer ------------------------------


def test_a_missing_project_whose_domain_is_unknown_is_an_error_and_plans_nothing() -> None:
    files = {"projects/apq.yaml": BASE}
    state = live([], usages={"apq": usage("apq", cpu=(0, 1))})
    plan = plan_of(files=files, state=state)
    assert plan.changes == () and plan.quotas == ()
    (problem,) = plan.diagnostics
    assert problem.code is Code.UNKNOWN_PROJECT and problem.is_error
    assert problem.message == (
        "CloudStack project 'apq' does not exist in cloud 'default' and cannot be created "
        "there: no domain 'ROOT'"
    )
    assert problem.hint == "did you mean 'app'?"
    assert problem.location == Location("projects/apq.yaml", 1, 1)


def test_an_unknown_project_without_a_close_name_asks_for_a_domain() -> None:
    plan = plan_of(files={"projects/zzz.yaml": "zone: zone-a\n"}, state=live([]))
    assert [d.hint for d in plan.diagnostics] == [
        "set domain: to an existing domain path (e.g. ROOT/apps/retail)"
    ]


def test_an_unreachable_cloud_is_an_error_and_plans_nothing() -> None:
    state = live(unreachable={"default": "connection refused"})
    plan = plan_of(BASE, state=state)
    assert plan.changes == () and plan.quotas == ()
    (problem,) = plan.diagnostics
    assert problem.code is Code.CLOUD_UNAVAILABLE and problem.is_error
    assert problem.message == "cloud 'default' could not be read: connection refused"
    assert problem.hint == "check the cloud's settings and that it answers, then plan again"
    assert problem.location == Location(FILE, 1, 1)


def test_a_cloud_that_was_not_read_says_so() -> None:
    state = LiveState({}, {}, {"dc9": catalog()})
    plan = plan_of(BASE, state=state)
    assert [d.message for d in plan.diagnostics] == ["cloud 'default' could not be read: not read"]
    assert plan.changes == ()


def test_the_plan_records_what_reading_cost_and_a_fingerprint_of_what_was_read() -> None:
    first = plan_of(BASE, base_objects())
    assert (first.api_calls, first.read_seconds) == (11, 0.25)
    same = plan_of(BASE, base_objects())
    moved = plan_of(BASE, swap(base_objects(), volume(size_gib=10)))
    assert len(first.live_fingerprint) == 64
    assert first.live_fingerprint == same.live_fingerprint != moved.live_fingerprint
    assert actions(moved) == [("update", "volume", "data")]


def test_the_fingerprint_covers_what_the_changes_touch_and_name_and_nothing_else() -> None:
    grown = edit("size: 20GiB,", "size: 30GiB,")  # the volume changes; it names web-1
    first = plan_of(grown, base_objects())
    assert actions(first) == [("update", "volume", "data")]
    # The network's state is no part of the repo and the change does not name it.
    quiet = plan_of(grown, swap(base_objects(), network(state="Allocated")))
    assert (actions(quiet), quiet.live_fingerprint) == (actions(first), first.live_fingerprint)
    # The VM the volume is attached to, stopped, or made again under the same name: the
    # changes read the same, the fingerprint tells them apart.
    stopped = plan_of(grown, swap(base_objects(), instance(state="Stopped")))
    again = plan_of(grown, swap(base_objects(), instance(id="a-new-vm")))
    assert actions(stopped) == actions(again) == actions(first)
    assert len({first.live_fingerprint, stopped.live_fingerprint, again.live_fingerprint}) == 3
