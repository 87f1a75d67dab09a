"""Adoption: a declared object that runs untagged is tagged (and updated), never made again;
ambiguity and another repo's objects are errors at the declaration."""

from __future__ import annotations

from dataclasses import replace

from app.cloudstack.model import LiveObject, LiveState, unmanaged_address
from app.plan.model import Action, FieldChange

from .cloud import (
    BASE,
    FILE,
    REPO,
    base_objects,
    change,
    codes,
    edit,
    instance,
    live,
    network,
    only,
    plan_of,
    without,
)
from .wanted import NONE

ADDRESS = "203.0.113.7"
KEY = "ip-203-0-113-7"  # the key `stackgate import` writes for the address


def with_untagged(
    objects: list[LiveObject],
    untagged: list[LiveObject],
    foreign: tuple[LiveObject, ...] = (),
) -> LiveState:
    """``objects`` tagged for the repo, ``untagged`` tagged by nobody, ``foreign`` by another."""
    state = live(objects)
    project = replace(state.projects["app"], untagged=tuple(untagged), foreign=foreign)
    return replace(state, projects={"app": project})


def bare(found: LiveObject, name: str | None = None, **fields: object) -> LiveObject:
    """The object as the inventory reads it when nobody tagged it: no labels, no commit."""
    return LiveObject(
        found.kind, name or found.name, f"u-{found.id}", {**found.fields, **fields}, {}
    )


def test_a_declared_network_running_untagged_is_adopted_not_created() -> None:
    plan = plan_of(state=with_untagged(without(base_objects(), "network"), [bare(network())]))
    made = only(plan)
    assert (made.action, made.address, made.live_id) == (
        Action.ADOPT,
        "app/network/app-net",
        "u-network-app-net-id",
    )
    assert made.changed == () and made.after is not None and made.before is not None
    assert (made.file, made.line) == (FILE, 4)
    assert "adopted" in made.reason
    assert plan.summary == "Plan: 0 to create, 0 to update, 0 to replace, 0 to delete, 1 to adopt"
    assert plan.counts["adopt"] == 1 and plan.diagnostics == ()


def test_a_whole_imported_project_is_only_adopted() -> None:
    """Every kind, nameless ones by address and rule fields once the address is adopted."""
    text = BASE.replace("web-ip", KEY)
    untagged = []
    for found in base_objects():
        fields = dict(found.fields)
        if "ip" in fields:
            fields["ip"] = unmanaged_address(ADDRESS)
        nameless = found.kind in ("public_ip", "firewall", "egress", "port_forward")
        untagged.append(bare(found, found.id if nameless else None, **fields))
    plan = plan_of(text, state=with_untagged([], untagged))
    assert plan.diagnostics == ()
    assert {c.action for c in plan.changes} == {Action.ADOPT}
    assert len(plan.changes) == 9
    assert change(plan, "firewall", f"{KEY}:tcp:443:0.0.0.0/0").live_id == "u-firewall-" + (
        "web-ip:tcp:443:0.0.0.0/0-id"
    )
    assert change(plan, "public_ip", KEY).live_id == "u-public_ip-web-ip-id"


def test_a_labelled_entry_adopts_with_its_labels_as_the_tag_change() -> None:
    text = edit("cidr: 10.1.0.0/24}", "cidr: 10.1.0.0/24, labels: {tier: front}}")
    made = only(
        plan_of(text, state=with_untagged(without(base_objects(), "network"), [bare(network())]))
    )
    assert made.action is Action.ADOPT
    assert made.changed == (FieldChange("labels", {}, {"tier": "front"}),)


def test_fields_that_differ_are_adopted_and_updated_in_one_change() -> None:
    untagged = [bare(instance(), offering="medium", cpu=2, memory_mib=4096)]
    made = only(plan_of(state=with_untagged(without(base_objects(), "instance"), untagged)))
    assert made.action is Action.ADOPT
    assert {f.field for f in made.changed} == {"offering", "cpu", "memory_mib"}
    assert made.after is not None and made.after["offering"] == "small"
    assert {k: made.after[k] for k in NONE} == NONE
    assert "updated in place" in made.reason and "stopped" in made.reason


def test_a_field_that_needs_a_replace_refuses_the_adoption() -> None:
    untagged = [bare(network(), cidr="10.9.0.0/24")]
    plan = plan_of(state=with_untagged(without(base_objects(), "network"), untagged))
    assert plan.changes == () and codes(plan) == ["SG208"]
    (problem,) = plan.diagnostics
    assert "would replace it" in problem.message and "10.9.0.0/24" in problem.message
    assert (problem.location.file, problem.location.line) == (FILE, 4)


def test_two_untagged_candidates_are_an_error_naming_both() -> None:
    twins = [bare(network()), replace(bare(network()), id="u-second")]
    plan = plan_of(state=with_untagged(without(base_objects(), "network"), twins))
    assert plan.changes == () and codes(plan) == ["SG215"]
    (problem,) = plan.diagnostics
    assert "u-network-app-net-id" in problem.message and "u-second" in problem.message
    assert (problem.location.file, problem.location.line) == (FILE, 4)


def test_another_repos_object_of_the_same_key_is_never_adopted() -> None:
    theirs = replace(network(), id="theirs", fields={}, repo="git@example.org:other.git")
    state = with_untagged(without(base_objects(), "network"), [bare(network())], (theirs,))
    plan = plan_of(state=state)
    assert plan.changes == () and codes(plan) == ["SG216"]
    assert "git@example.org:other.git" in plan.diagnostics[0].message
    assert REPO not in plan.diagnostics[0].message


def test_an_untagged_object_the_repo_does_not_declare_is_left_alone() -> None:
    plan = plan_of(state=with_untagged(base_objects(), [bare(network("hand-made"))]))
    assert plan.changes == ()
