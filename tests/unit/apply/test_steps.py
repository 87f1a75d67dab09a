"""A plan as apply runs it: replaces split in two, and a security group's rules naming other
groups in a wave after every group is made. Literal changes, no cloud."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from app.apply.steps import steps_of
from app.plan.model import Action, Change, Plan
from app.plan.order import apply_order, wave

CIDR: dict[str, Any] = {"protocol": "tcp", "ports": "443", "cidrs": ["10.0.0.0/8"], "group": None}
SELF: dict[str, Any] = {"protocol": "all", "ports": None, "cidrs": [], "group": "db-sg"}
WEB: dict[str, Any] = {"protocol": "tcp", "ports": "5432", "cidrs": [], "group": "web-sg"}


def group(name: str, action: Action, *ingress: dict[str, Any]) -> Change:
    values = {"description": None, "ingress": list(ingress), "egress": []}
    before = None if action is Action.CREATE else {**values, "ingress": []}
    after = None if action is Action.DELETE else values
    return Change(action, "security_group", "payments", name, before, after, live_id=None)


def steps(*changes: Change) -> list[tuple[str, str, list[Any]]]:
    plan = Plan("acme/infra", ("payments",), apply_order(changes))
    made = [(c, (c.after or {}).get("ingress", [])) for c in steps_of(plan).changes]
    return [(c.action.value, c.name, [r["group"] or r["cidrs"] for r in got]) for c, got in made]


def test_a_create_naming_another_group_authorizes_those_rules_in_a_later_wave() -> None:
    db = group("db-sg", Action.CREATE, CIDR, SELF, WEB)
    assert steps(db, group("web-sg", Action.CREATE, CIDR)) == [
        ("create", "db-sg", [["10.0.0.0/8"], "db-sg"]),  # its own name: it exists by then
        ("create", "web-sg", [["10.0.0.0/8"]]),
        ("update", "db-sg", [["10.0.0.0/8"], "db-sg", "web-sg"]),
    ]
    rules = steps_of(Plan("acme/infra", ("payments",), (db,))).changes[1]
    assert wave(rules) > wave(group("zz-sg", Action.CREATE, CIDR))
    assert rules.before == {"description": None, "ingress": [CIDR, SELF], "egress": []}


def test_an_update_naming_another_group_runs_after_the_groups_are_made() -> None:
    assert steps(group("db-sg", Action.UPDATE, WEB), group("web-sg", Action.CREATE)) == [
        ("create", "web-sg", []),
        ("update", "db-sg", ["web-sg"]),
    ]


def test_a_replaced_group_naming_another_is_deleted_made_and_given_those_rules() -> None:
    assert steps(group("db-sg", Action.REPLACE, CIDR, WEB)) == [
        ("delete", "db-sg", []),
        ("create", "db-sg", [["10.0.0.0/8"]]),
        ("update", "db-sg", [["10.0.0.0/8"], "web-sg"]),
    ]


def test_a_plan_with_nothing_to_split_is_run_as_it_is() -> None:
    plan = Plan("acme/infra", ("payments",), (group("db-sg", Action.CREATE, CIDR, SELF),))
    assert steps_of(plan) is plan


def test_a_deleted_group_first_revokes_its_rules_naming_groups_then_goes() -> None:
    db = replace(group("db-sg", Action.DELETE), before={"ingress": [CIDR, SELF, WEB]})
    web = replace(group("web-sg", Action.DELETE), before={"ingress": [CIDR]})
    plan = Plan("acme/infra", ("payments",), apply_order((db, web)))
    assert [(c.action.value, c.name, c.after) for c in steps_of(plan).changes] == [
        ("update", "db-sg", {"ingress": [CIDR], "egress": []}),
        ("delete", "db-sg", None),
        ("delete", "web-sg", None),
    ]
    revoke, gone = steps_of(plan).changes[:2]
    assert wave(revoke) < wave(gone)


def test_an_update_that_stops_naming_a_group_and_adds_a_rule_revokes_first() -> None:
    both = group("db-sg", Action.UPDATE, CIDR)
    both = replace(both, before={**(both.before or {}), "ingress": [WEB]})
    plan = Plan("acme/infra", ("payments",), (both, group("web-sg", Action.DELETE)))
    revoke, gone, update = steps_of(plan).changes
    assert (revoke.action, revoke.name, revoke.after) == (
        Action.UPDATE,
        "db-sg",
        {"description": None, "ingress": [], "egress": []},
    )
    assert (gone.action, gone.name, update) == (Action.DELETE, "web-sg", both)
    assert wave(revoke) < wave(gone) < wave(update)


def test_a_group_naming_a_replaced_group_revokes_those_rules_first_and_names_it_again() -> None:
    """deleteSecurityGroup refuses while a rule names the group (536): db-sg, updated only
    because web-sg is replaced, revokes its rule naming web-sg with the deletes and
    authorizes it again once the new web-sg is made."""
    db = group("db-sg", Action.UPDATE, CIDR, WEB)
    db = replace(db, before=db.after)
    web = replace(group("web-sg", Action.REPLACE, CIDR), before={"ingress": [CIDR]})
    plan = Plan("acme/infra", ("payments",), apply_order((db, web)))
    assert steps(db, web) == [
        ("update", "db-sg", [["10.0.0.0/8"]]),
        ("delete", "web-sg", []),
        ("create", "web-sg", [["10.0.0.0/8"]]),
        ("update", "db-sg", [["10.0.0.0/8"], "web-sg"]),
    ]
    revoke, gone, made, again = steps_of(plan).changes
    assert wave(revoke) < wave(gone) < wave(made) < wave(again)
    assert again.before == revoke.after
