"""Plan actions that keep the object: create, no-op, update in place and update with a stop."""

from __future__ import annotations

import hashlib

import pytest

from app.cloudstack.model import LiveObject
from app.plan.model import Action, FieldChange

from .cloud import (
    BASE,
    FILE,
    ISOLATED,
    SHARED,
    base_objects,
    edit,
    egress,
    firewall,
    instance,
    load_balancer,
    network,
    only,
    plan_of,
    port_forward,
    public_ip,
    relabel,
    swap,
    volume,
    without,
)
from .wanted import KINDS, NONE, WANTED

# ---- create and no-op ---------------------------------------------------------------------------


def test_live_twin_of_the_repo_is_a_no_op() -> None:
    plan = plan_of(BASE, base_objects())
    assert plan.changes == ()
    assert plan.diagnostics == ()
    assert not plan.has_changes and not plan.has_errors


@pytest.mark.parametrize("kind", KINDS)
def test_create_when_nothing_is_live(kind: str) -> None:
    name, line, fields = WANTED[kind]
    made = only(plan_of(BASE, without(base_objects(), kind)))
    assert (made.action, made.kind, made.project, made.name) == (Action.CREATE, kind, "app", name)
    assert made.before is None
    assert made.after == {**fields, **NONE}
    assert (made.file, made.line) == (FILE, line)
    assert made.changed == () and made.lost == "" and made.live_id is None
    assert not made.destructive


def test_labels_and_protection_of_the_project_reach_every_entry_but_keys() -> None:
    text = edit("zone: zone-a\n", "zone: zone-a\nlabels: {team: web}\nprotected: true\n")
    text = edit("cidr: 10.1.0.0/24}", "cidr: 10.1.0.0/24, labels: {tier: front}}", text)
    plan = plan_of(text, [])
    afters = {c.kind: (c.after or {}) for c in plan.changes}
    assert afters["network"]["labels"] == {"team": "web", "tier": "front"}
    assert afters["firewall"]["labels"] == {"team": "web"}
    assert all(afters[kind]["protected"] for kind in KINDS if kind != "ssh_key")
    assert (afters["ssh_key"]["labels"], afters["ssh_key"]["protected"]) == ({}, False)


def test_a_protected_project_with_a_key_is_a_no_op_when_nothing_changed() -> None:
    """Key pairs take no tags, so protection is not something a live key can show."""
    text = edit("zone: zone-a\n", "zone: zone-a\nprotected: true\n")
    live = [o if o.kind == "ssh_key" else _protect(o) for o in base_objects()]
    assert plan_of(text, live).changes == ()


def _protect(found: LiveObject) -> LiveObject:
    return LiveObject(found.kind, found.name, found.id, found.fields, found.labels, None, True)


def test_icmp_rules_and_cidr_order_compare_equal_to_what_the_cloud_reports() -> None:
    text = edit(
        "  - {ip: web-ip, protocol: tcp, ports: 443, cidrs: [0.0.0.0/0]}",
        "  - {ip: web-ip, protocol: icmp, cidrs: [192.0.2.0/24, 10.0.0.0/8]}",
    )
    key = "web-ip:icmp:-1/-1:10.0.0.0/8,192.0.2.0/24"
    cidrs = ["10.0.0.0/8", "192.0.2.0/24"]
    rule = firewall(key, protocol="icmp", ports=None, icmp_type=-1, icmp_code=-1, cidrs=cidrs)
    assert plan_of(text, [*without(base_objects(), "firewall"), rule]).changes == ()


def test_cidr_lists_of_forwards_and_load_balancers_compare_in_any_order() -> None:
    cidrs = "cidrs: [192.0.2.0/24, 10.0.0.0/8]"
    text = edit(
        "private_port: 22, instance: web-1}", f"private_port: 22, instance: web-1, {cidrs}}}"
    )
    text = edit("members: [web-1]}", f"members: [web-1], {cidrs}}}", text)
    key = "web-ip:tcp:22->web-1:22:10.0.0.0/8,192.0.2.0/24"
    both = ["10.0.0.0/8", "192.0.2.0/24"]
    objects = [*without(base_objects(), "port_forward"), port_forward(key, cidrs=both)]
    assert plan_of(text, swap(objects, load_balancer(cidrs=both))).changes == ()


def test_load_balancer_members_compare_in_any_order() -> None:
    web_2 = (
        "  web-2: {offering: small, template: ubuntu-22.04, networks: [app-net], ssh_key: deploy}\n"
    )
    text = edit("volumes:\n", web_2 + "volumes:\n")
    text = edit("members: [web-1]", "members: [web-2, web-1]", text)
    objects = [*swap(base_objects(), load_balancer(members=["web-1", "web-2"])), instance("web-2")]
    assert plan_of(text, objects).changes == ()


def test_port_ranges_compare_as_the_cloud_writes_them() -> None:
    text = edit("public_port: 22, private_port: 22", 'public_port: "2200-2210", private_port: 22')
    key = "web-ip:tcp:2200-2210->web-1:22"
    live = [*without(base_objects(), "port_forward"), port_forward(key, public_port="2200-2210")]
    assert plan_of(text, live).changes == ()


# ---- update in place ------------------------------------------------------------------------


def _user_data_sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


UPDATES: dict[str, tuple[str, str, LiveObject, tuple[FieldChange, ...]]] = {
    "network description": (
        "cidr: 10.1.0.0/24}",
        "cidr: 10.1.0.0/24, description: front end}",
        network(),
        (FieldChange("description", "", "front end"),),
    ),
    "network offering": (
        f"offering: {ISOLATED}",
        f"offering: {SHARED}",
        network(),
        (FieldChange("offering", ISOLATED, SHARED),),
    ),
    "instance labels": (
        "ssh_key: deploy}",
        "ssh_key: deploy, labels: {owner: alice}}",
        relabel(instance(), owner="bob", team="web"),
        (FieldChange("labels", {"owner": "bob", "team": "web"}, {"owner": "alice"}),),
    ),
    "instance user data": (
        "ssh_key: deploy}",
        'ssh_key: deploy, user_data: "#cloud-config"}',
        instance(user_data_sha=_user_data_sha("#!/bin/sh")),
        (
            FieldChange(
                "user_data_sha", _user_data_sha("#!/bin/sh"), _user_data_sha("#cloud-config")
            ),
        ),
    ),
    "volume grows": (
        "size: 20GiB",
        "size: 20GiB",
        volume(size_gib=10),
        (FieldChange("size_gib", 10, 20),),
    ),
    "volume attached": (
        "size: 20GiB",
        "size: 20GiB",
        volume(attach_to=None),
        (FieldChange("attach_to", None, "web-1"),),
    ),
    "volume detached": (
        ", attach_to: web-1}",
        "}",
        volume(),
        (FieldChange("attach_to", "web-1", None),),
    ),
    "volume offering": (
        "offering: standard,",
        "offering: fast-ssd,",
        volume(),
        (FieldChange("offering", "standard", "fast-ssd"),),
    ),
    "address protected": (
        "{network: app-net}",
        "{network: app-net, protected: true}",
        public_ip(),
        (FieldChange("protected", False, True),),
    ),
    "firewall labels": (
        "zone: zone-a\n",
        "zone: zone-a\n",
        relabel(firewall(), stale="yes"),
        (FieldChange("labels", {"stale": "yes"}, {}),),
    ),
    "egress labels": (
        "zone: zone-a\n",
        "zone: zone-a\n",
        relabel(egress(), stale="yes"),
        (FieldChange("labels", {"stale": "yes"}, {}),),
    ),
    "port forward labels": (
        "zone: zone-a\n",
        "zone: zone-a\n",
        relabel(port_forward(), stale="yes"),
        (FieldChange("labels", {"stale": "yes"}, {}),),
    ),
    "load balancer algorithm": (
        "web-lb: {ip: web-ip,",
        "web-lb: {ip: web-ip, algorithm: leastconn,",
        load_balancer(),
        (FieldChange("algorithm", "roundrobin", "leastconn"),),
    ),
    "load balancer members": (
        "members: [web-1]",
        "members: [web-1]",
        load_balancer(members=["web-1", "web-2"]),
        (FieldChange("members", ["web-1", "web-2"], ["web-1"]),),
    ),
}


@pytest.mark.parametrize("case", sorted(UPDATES))
def test_update_in_place(case: str) -> None:
    old, new, found, changed = UPDATES[case]
    made = only(plan_of(edit(old, new), swap(base_objects(), found)))
    assert (made.action, made.kind, made.name) == (Action.UPDATE, found.kind, found.name)
    assert made.changed == changed
    assert made.reason == "" and made.lost == "" and not made.destructive
    assert made.live_id == found.id
    assert made.before == {**found.fields, "labels": dict(found.labels), "protected": False}
    assert made.after is not None
    assert (made.file, made.line) == (FILE, WANTED[found.kind][1])


def test_update_before_and_after_are_names_and_units() -> None:
    made = only(plan_of(BASE, swap(base_objects(), volume(size_gib=10, offering="fast-ssd"))))
    assert made.before == {
        "offering": "fast-ssd",
        "size_gib": 10,
        "attach_to": "web-1",
        "zone": "zone-a",
        "state": "Ready",
        "labels": {},
        "protected": False,
    }
    assert made.after == {
        "offering": "standard",
        "size_gib": 20,
        "attach_to": "web-1",
        "zone": "zone-a",
        "labels": {},
        "protected": False,
    }
    assert made.changed == (
        FieldChange("offering", "fast-ssd", "standard"),
        FieldChange("size_gib", 10, 20),
    )


# ---- update with a stop and start -----------------------------------------------------------

STOP_OFFERING = "the instance is stopped to change its offering, then started"


@pytest.mark.parametrize(
    ("wanted", "found", "changed", "reason"),
    [
        (
            "offering: medium,",
            instance(offering="small"),
            FieldChange("offering", "small", "medium"),
            STOP_OFFERING,
        ),
        (
            "offering: small,",
            instance(ssh_key="old-key"),
            FieldChange("ssh_key", "old-key", "deploy"),
            "changing ssh_key needs the instance stopped",
        ),
        (
            "offering: small,",
            instance(ssh_key=None),
            FieldChange("ssh_key", None, "deploy"),
            "changing ssh_key needs the instance stopped",
        ),
        (
            "offering: small, root_disk: 40GiB,",
            instance(),
            FieldChange("root_disk_gib", 10, 40),
            "changing root_disk_gib needs the instance stopped",
        ),
    ],
    ids=["offering", "other key", "first key", "root disk grows"],
)
def test_update_stop(wanted: str, found: LiveObject, changed: FieldChange, reason: str) -> None:
    made = only(plan_of(edit("offering: small,", wanted), swap(base_objects(), found)))
    assert (made.action, made.kind, made.name) == (Action.UPDATE_STOP, "instance", "web-1")
    assert (made.changed[0], made.reason) == (changed, reason)
    assert {f.field for f in made.changed[1:]} <= {"cpu", "memory_mib"}  # sizes follow offerings
    assert not made.destructive and made.lost == ""


@pytest.mark.parametrize(
    ("before", "after", "state", "action"),
    [
        ("dyn-small", "dyn-medium", "Running", Action.UPDATE),
        ("dyn-small", "dyn-large", "Running", Action.UPDATE),
        ("dyn-medium", "dyn-small", "Running", Action.UPDATE_STOP),  # shrinks
        ("dyn-tall", "dyn-wide", "Running", Action.UPDATE_STOP),  # memory shrinks
        ("dyn-wide", "dyn-tall", "Running", Action.UPDATE_STOP),  # cores shrink
        ("dyn-small", "dyn-medium", "Stopped", Action.UPDATE),  # already stopped: nothing to stop
        ("small", "dyn-medium", "Running", Action.UPDATE_STOP),  # old one is not dynamic
        ("dyn-small", "medium", "Running", Action.UPDATE_STOP),  # new one is not dynamic
        ("retired", "dyn-medium", "Running", Action.UPDATE_STOP),  # old one left the catalog
    ],
)
def test_offering_scales_live_only_up_between_dynamic_offerings_while_running(
    before: str, after: str, state: str, action: Action
) -> None:
    found = instance(offering=before, state=state)
    made = only(
        plan_of(edit("offering: small,", f"offering: {after},"), swap(base_objects(), found))
    )
    assert made.action is action
    assert made.changed[0] == FieldChange("offering", before, after)
    assert {f.field for f in made.changed[1:]} <= {"cpu", "memory_mib"}
    expected = {
        "Running": "scaled while running",
        "Stopped": "changed while the instance is stopped",
    }
    assert made.reason == (expected[state] if action is Action.UPDATE else STOP_OFFERING)


def test_the_gravest_field_decides_the_action_and_every_field_is_listed() -> None:
    text = edit("offering: small,", "offering: medium, labels: {a: b},")
    made = only(plan_of(text, base_objects()))
    assert made.action is Action.UPDATE_STOP
    assert made.changed == (
        FieldChange("offering", "small", "medium"),
        FieldChange("cpu", 1, 2),  # the size comes with the offering, for people and policies
        FieldChange("memory_mib", 2048, 4096),
        FieldChange("labels", {}, {"a": "b"}),
    )
