"""Apply order: limits, then deletes from the leaves in, then creates and updates from the roots."""

from __future__ import annotations

from app.plan.model import Action, Change
from app.plan.order import KIND_ORDER, apply_order

from .cloud import (
    BASE,
    EGRESS_KEY,
    FIREWALL_KEY,
    FORWARD_KEY,
    actions,
    base_objects,
    edit,
    live,
    network,
    plan_of,
    swap,
    usage,
    volume,
)

LEAVES_FIRST = [
    ("delete", "load_balancer", "web-lb"),
    ("delete", "port_forward", FORWARD_KEY),
    ("delete", "egress", EGRESS_KEY),
    ("delete", "firewall", FIREWALL_KEY),
    ("delete", "volume", "data"),
    ("delete", "public_ip", "web-ip"),
    ("delete", "instance", "web-1"),
    ("delete", "network", "app-net"),
    ("delete", "ssh_key", "deploy"),
]
ROOTS_FIRST = [
    ("create", "ssh_key", "deploy"),
    ("create", "network", "app-net"),
    ("create", "instance", "web-1"),  # the network's first VM takes its source NAT address
    ("create", "public_ip", "web-ip"),
    ("create", "volume", "data"),
    ("create", "firewall", FIREWALL_KEY),
    ("create", "egress", EGRESS_KEY),
    ("create", "port_forward", FORWARD_KEY),
    ("create", "load_balancer", "web-lb"),
]


def test_creates_go_from_the_roots_out() -> None:
    assert actions(plan_of(BASE, [])) == ROOTS_FIRST


def test_deletes_go_from_the_leaves_in() -> None:
    assert actions(plan_of("zone: zone-a\n", base_objects())) == LEAVES_FIRST


def test_limits_then_deletes_then_creates_and_updates() -> None:
    text = edit("limits: {instances: 10, cpu: 20}", "limits: {instances: 12, cpu: 20}")
    text = edit("ports: 443,", "ports: 8443,", text)
    objects = swap(base_objects(), volume(size_gib=10))
    objects = [o for o in objects if o.kind != "ssh_key"] + [network("old-net")]
    state = live(objects, usages={"app": usage(instances=(1, 10), cpu=(1, 20))})
    assert actions(plan_of(text, state=state)) == [
        ("update", "limits", "instances"),
        ("delete", "firewall", FIREWALL_KEY),
        ("delete", "network", "old-net"),
        ("create", "ssh_key", "deploy"),
        ("update", "volume", "data"),
        ("create", "firewall", "web-ip:tcp:8443:0.0.0.0/0"),
    ]


def _change(action: Action, kind: str, name: str, project: str = "app") -> Change:
    return Change(action, kind, project, name, None, None)


def test_within_a_kind_by_project_then_name_and_replaces_with_the_creates() -> None:
    given = [
        _change(Action.CREATE, "instance", "b", "zeta"),
        _change(Action.REPLACE, "instance", "z"),
        _change(Action.UPDATE_STOP, "instance", "a", "zeta"),
        _change(Action.DELETE, "instance", "old"),
        _change(Action.UPDATE, "limits", "cpu", "zeta"),
        _change(Action.UPDATE, "limits", "memory"),
        _change(Action.CREATE, "network", "n"),
        _change(Action.DELETE, "network", "gone"),
        _change(Action.DELETE, "load_balancer", "lb"),
    ]
    assert [(c.action.value, c.kind, c.project, c.name) for c in apply_order(given)] == [
        ("update", "limits", "app", "memory"),
        ("update", "limits", "zeta", "cpu"),
        ("delete", "load_balancer", "app", "lb"),
        ("delete", "instance", "app", "old"),
        ("delete", "network", "app", "gone"),
        ("create", "network", "app", "n"),
        ("replace", "instance", "app", "z"),
        ("update-stop", "instance", "zeta", "a"),
        ("create", "instance", "zeta", "b"),
    ]


def test_the_kind_table_names_every_kind_once() -> None:
    assert KIND_ORDER[:3] == ("project", "project_member", "limits")
    networking = {"affinity_group", "security_group", "vpc", "network_acl", "network_acl_rule"}
    clusters = {"template", "kubernetes_cluster", "snapshot_policy"}
    assert sorted(KIND_ORDER) == sorted(
        {
            "project",
            "project_member",
            "limits",
            *{kind for _, kind, _ in ROOTS_FIRST},
            *networking,
            *clusters,
        }
    )
