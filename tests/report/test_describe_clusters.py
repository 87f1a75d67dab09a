"""A Kubernetes cluster in words, as every renderer shows it: what is made, what a scale or an
upgrade moves, what a replace or delete loses; never its kubeconfig, which no plan holds."""

from __future__ import annotations

from app.plan.cost import Prices
from app.plan.model import Action, Change, FieldChange
from app.report.plan_markdown import render_comment
from app.report.plan_text import describe, details
from tests.unit.plan.test_k8s_changes import APPS, RUNNING, cluster_plan, live_cluster

# the live cluster of test_k8s_changes, on a newer version with larger node disks
CLUSTER = RUNNING | {"version": "v1.28.4", "node_root_disk_gib": 40}


def test_a_cluster_says_its_version_nodes_network_and_disks() -> None:
    assert describe("kubernetes_cluster", CLUSTER) == (
        "v1.28.4 · 3 control + 10 workers of medium · on k8s-net · root 40GiB"
    )
    stopped = describe("kubernetes_cluster", CLUSTER | {"state": "Stopped"})
    assert stopped.endswith(" · root 40GiB · stopped")
    on_tier = describe("kubernetes_cluster", CLUSTER | {"network": "k8s", "vpc": "shop"})
    assert " · on k8s of VPC shop · " in on_tier


def test_a_scale_and_an_upgrade_say_what_moves() -> None:
    scaled = Change(
        Action.UPDATE,
        "kubernetes_cluster",
        "app",
        "apps",
        CLUSTER,
        CLUSTER | {"size": 13, "version": "v1.29.1"},
        (FieldChange("version", "v1.28.4", "v1.29.1"), FieldChange("size", 10, 13)),
        "upgraded",
    )
    assert details(scaled) == "version: v1.28.4 → v1.29.1; size: 10 → 13 (upgraded)"
    disk = Change(
        Action.REPLACE,
        "kubernetes_cluster",
        "app",
        "apps",
        CLUSTER,
        CLUSTER | {"node_root_disk_gib": 80},
        (FieldChange("node_root_disk_gib", 40, 80),),
        "node_root_disk_gib cannot change in place",
        "the cluster: its nodes, their disks and every workload on them",
    )
    assert details(disk) == (
        "node_root_disk: 40GiB → 80GiB (node_root_disk_gib cannot change in place); "
        "lost: the cluster: its nodes, their disks and every workload on them"
    )


def test_the_comment_of_a_scale_up_shows_the_cluster_and_what_it_costs_in_quota() -> None:
    plan = cluster_plan(APPS.replace("size: 10", "size: 13"), live_cluster(), prices=Prices(cpu=10))
    (comment,) = render_comment(plan)
    assert "| ~ update | kubernetes cluster | `apps` | size: 10 → 13 (scaled) |" in comment
    assert "| app | instances | 0 | +3 |" in comment
    assert "| app | cpu | 0 | +6 |" in comment and "+60.00 EUR" in comment  # 6 CPUs at 10
    assert "apiVersion" not in comment and "kubeconfig" not in comment.lower()
