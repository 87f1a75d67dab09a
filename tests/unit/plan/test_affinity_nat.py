"""Affinity groups and static NAT in the diff: what CloudStack changes in place, with a stop,
or only by making the object again, and what follows a replaced group or instance."""

from __future__ import annotations

from dataclasses import replace

from app.cloudstack.model import LiveObject
from app.plan.model import Action, Plan

from .cloud import ISOLATED, actions, catalog, change, edit, instance, live, network, obj, plan_of
from .cloud import public_ip as address

TEXT = f"""\
zone: zone-a
networks:
  app-net: {{offering: {ISOLATED}, cidr: 10.1.0.0/24}}
affinity_groups:
  spread: {{type: host anti-affinity}}
instances:
  web-1: {{offering: small, template: ubuntu-22.04, networks: [app-net], affinity_groups: [spread]}}
public_ips:
  nat-ip: {{network: app-net, static_nat: web-1}}
"""


def _twin(state: str = "Running") -> list[LiveObject]:
    return [
        network(),
        obj("affinity_group", "spread", {"type": "host anti-affinity", "description": ""}),
        instance(ssh_key=None, affinity_groups=["spread"], state=state),
        address("nat-ip", static_nat="web-1"),
    ]


def _plan(text: str = TEXT, state: str = "Running") -> Plan:
    cloud = replace(catalog(), affinity_types=("host affinity", "host anti-affinity"))
    return plan_of(text, state=live(_twin(state), cloud_catalog=cloud))


def test_the_live_twin_plans_nothing() -> None:
    plan = _plan()
    assert plan.diagnostics == () and plan.changes == ()


def test_a_running_instance_leaving_its_group_is_stopped_a_stopped_one_is_not() -> None:
    text = edit(", affinity_groups: [spread]}", "}", TEXT)
    running = change(_plan(text), "instance", "web-1")
    assert running.action is Action.UPDATE_STOP
    assert [(f.field, f.before, f.after) for f in running.changed] == [
        ("affinity_groups", ["spread"], [])
    ]
    assert change(_plan(text, state="Stopped"), "instance", "web-1").action is Action.UPDATE


def test_a_new_type_replaces_the_group_and_stops_its_instances_to_rejoin() -> None:
    plan = _plan(edit("type: host anti-affinity", "type: host affinity", TEXT))
    assert actions(plan) == [
        ("replace", "affinity_group", "spread"),
        ("update-stop", "instance", "web-1"),
    ]
    assert change(plan, "instance", "web-1").reason == "its affinity group 'spread' is replaced"


def test_static_nat_off_or_to_another_instance_is_an_update_of_the_address() -> None:
    off = change(_plan(edit(", static_nat: web-1", "", TEXT)), "public_ip", "nat-ip")
    assert off.action is Action.UPDATE
    assert [(f.field, f.before, f.after) for f in off.changed] == [("static_nat", "web-1", None)]


def test_a_replaced_instance_has_its_static_nat_set_again() -> None:
    plan = _plan(edit("template: ubuntu-22.04", "template: debian-12", TEXT))
    assert change(plan, "instance", "web-1").action is Action.REPLACE
    nat = change(plan, "public_ip", "nat-ip")
    assert (nat.action, nat.reason) == (Action.UPDATE, "its instance 'web-1' is replaced")
