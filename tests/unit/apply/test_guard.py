"""The guard compares the approved plan with one made at merge: literal plans, literal reasons."""

from __future__ import annotations

from dataclasses import replace

from app.apply.guard import guard, guard_digests
from app.plan.serialize import changes_digest
from tests.unit.plan.cloud import (
    BASE,
    FILE,
    base_objects,
    edit,
    instance,
    network,
    plan_of,
    swap,
    volume,
    without,
)
from tests.unit.plan.test_adopt import bare, with_untagged

GROWN = edit("size: 20GiB,", "size: 30GiB,")


def test_the_same_plan_against_the_same_cloud_holds() -> None:
    approved = plan_of(GROWN, base_objects())
    verdict = guard(approved, plan_of(GROWN, base_objects()))
    assert verdict.holds and verdict.differences == ()


def test_a_change_elsewhere_in_the_cloud_does_not_stop_the_apply() -> None:
    approved = plan_of(GROWN, base_objects())
    assert guard(approved, plan_of(GROWN, swap(base_objects(), network(state="Allocated")))).holds


def test_an_object_deleted_out_of_band_turns_an_update_into_a_create() -> None:
    approved = plan_of(GROWN, base_objects())
    fresh = plan_of(GROWN, without(base_objects(), "volume"))
    (said,) = guard(approved, fresh).differences
    assert said.startswith("`app/volume/data`: approved to update, now it needs create")


def test_a_field_changed_out_of_band_is_named() -> None:
    approved = plan_of(GROWN, base_objects())
    fresh = plan_of(GROWN, swap(base_objects(), volume(offering="fast")))
    assert guard(approved, fresh).differences == (
        "`app/volume/data`: offering differ from what was approved",
    )


def test_new_work_nobody_approved_is_refused() -> None:
    approved = plan_of(BASE, base_objects())  # nothing to do when it was approved
    fresh = plan_of(BASE, swap(base_objects(), instance(offering="large")))
    (said,) = guard(approved, fresh).differences
    assert said.startswith("`app/instance/web-1` now needs update-stop")
    assert said.endswith("nobody approved that")


def test_work_that_is_already_done_is_a_difference_too() -> None:
    approved = plan_of(GROWN, base_objects())
    fresh = plan_of(GROWN, swap(base_objects(), volume(size_gib=30)))
    assert guard(approved, fresh).differences == (
        "`app/volume/data` was approved to update; now nothing is to do",
    )


def test_a_named_object_made_again_under_its_name_shows_only_in_the_fingerprint() -> None:
    approved = plan_of(GROWN, base_objects())
    fresh = plan_of(GROWN, swap(base_objects(), instance(id="another-vm")))
    (said,) = guard(approved, fresh).differences
    assert said.startswith("the objects this change acts on or names were changed in CloudStack")


def test_an_error_at_the_merge_commit_refuses_with_its_place() -> None:
    approved = plan_of(GROWN, base_objects())
    fresh = plan_of(edit("size: 20GiB,", "size: 10GiB,"), base_objects())
    said = guard(approved, fresh).differences
    assert said[0].startswith("the plan at the merge commit has an error: volume 'data': a volume")
    assert said[0].endswith(f"cannot shrink (20GiB to 10GiB) ({FILE}:8:3)")


def test_digests_from_the_comment_stand_in_for_the_stored_plan() -> None:
    approved = plan_of(GROWN, base_objects())
    digest, live = changes_digest(approved), approved.live_fingerprint
    assert guard_digests(digest, live, plan_of(GROWN, base_objects())).holds
    moved = plan_of(GROWN, swap(base_objects(), instance(id="another-vm")))
    (said,) = guard_digests(digest, live, moved).differences
    assert said.startswith("the objects this change acts on or names were changed")
    other = plan_of(GROWN, without(base_objects(), "volume"))
    (said,) = guard_digests(digest, live, other).differences
    assert said.startswith("the changes at the merge commit are not the ones planned")


def test_an_approved_adopt_holds_only_while_the_same_untagged_object_is_there() -> None:
    untagged = [bare(network())]
    approved = plan_of(state=with_untagged(without(base_objects(), "network"), untagged))
    same = plan_of(state=with_untagged(without(base_objects(), "network"), untagged))
    assert guard(approved, same).holds
    # Gone since: it would be created. Another one under the name: another live object.
    gone = plan_of(state=with_untagged(without(base_objects(), "network"), []))
    (said,) = guard(approved, gone).differences
    assert said.startswith("`app/network/app-net`: approved to adopt, now it needs create")
    other = [replace(bare(network()), id="u-other")]
    moved = plan_of(state=with_untagged(without(base_objects(), "network"), other))
    (said,) = guard(approved, moved).differences
    assert "the live object is another one now" in said
    # Tagged by the repo meanwhile (an earlier apply): nothing left to adopt.
    (said,) = guard(approved, plan_of(BASE, base_objects())).differences
    assert "was approved to adopt; now nothing is to do" in said
