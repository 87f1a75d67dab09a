"""A live Kubernetes cluster against the repo: what CKS changes in place (scale, upgrade,
start/stop), what it replaces, what it refuses before any call, what each change costs in
quota, and how a cluster changed outside stackgate reads as drift."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from app.cloudstack.model import Catalog, KubernetesVersion, LiveObject
from app.plan.cost import Prices
from app.plan.drift import DriftKind, drift_of
from app.plan.model import Action, Plan

from .cloud import (
    ISOLATED,
    SHARED,
    catalog,
    change,
    codes,
    edit,
    live,
    network,
    obj,
    plan_of,
    usage,
)

APPS = f"""\
zone: zone-a
networks:
  k8s-net: {{offering: {ISOLATED}, cidr: 10.1.0.0/24}}
kubernetes_clusters:
  apps:
    version: v1.27.3
    control_nodes: 3
    size: 10
    offering: medium
    network: k8s-net
"""
VERSIONS = {
    name: KubernetesVersion(f"kv-{name}", name, name[1:], 2, 2048)
    for name in ("v1.26.9", "v1.27.3", "v1.27.8", "v1.28.4", "v1.29.1")
}
RUNNING = {
    "version": "v1.27.3",
    "control_nodes": 3,
    "size": 10,
    "offering": "medium",
    "network": "k8s-net",
    "ssh_key": None,
    "node_root_disk_gib": 8,
    "zone": "zone-a",
    "description": "",
    "state": "Running",
    "cpu": 2,
    "memory_mib": 4096,
}
QUOTAS = ("instances", "cpu", "memory", "volumes", "primary_storage", "public_ips")


def _catalog() -> Catalog:
    return replace(catalog(), kubernetes_versions=VERSIONS)


def live_cluster(**fields: Any) -> LiveObject:
    found = obj("kubernetes_cluster", "apps", {**RUNNING, **fields})
    return replace(found, commit=None)  # a cluster keeps no tags: no commit, no labels


def cluster_plan(text: str = APPS, cluster: LiveObject | None = None, **options: Any) -> Plan:
    objects = [network("k8s-net"), *([cluster] if cluster else [])]
    quotas = dict.fromkeys(QUOTAS, (0, None))
    state = live(objects, usages={"app": usage("app", **quotas)}, cloud_catalog=_catalog())
    return plan_of(text, state=state, clean=False, **options)


def _delta(plan: Plan) -> dict[str, int]:
    return {line.resource: line.change for line in plan.quotas}


def test_an_unchanged_cluster_plans_nothing_with_the_default_root_disk() -> None:
    plan = cluster_plan(cluster=live_cluster())
    assert (plan.changes, plan.diagnostics) == ((), ())


def test_project_labels_are_not_a_change_of_a_cluster_which_keeps_no_tags() -> None:
    plan = cluster_plan("labels: {team: apps}\n" + APPS, cluster=live_cluster())
    assert [c.kind for c in plan.changes] == ["network"]  # which takes the label


def test_more_workers_is_a_scale_and_counts_the_new_nodes() -> None:
    plan = cluster_plan(edit("size: 10", "size: 13", APPS), cluster=live_cluster())
    scaled = change(plan, "kubernetes_cluster", "apps")
    assert (scaled.action, scaled.reason) == (Action.UPDATE, "scaled")
    assert [(f.field, f.before, f.after) for f in scaled.changed] == [("size", 10, 13)]
    assert _delta(plan) == {
        "instances": 3,
        "cpu": 6,
        "memory": 3 * 4096,
        "volumes": 3,
        "primary_storage": 3 * 8,
        "public_ips": 0,
    }


def test_fewer_workers_free_theirs() -> None:
    plan = cluster_plan(edit("size: 10", "size: 4", APPS), cluster=live_cluster())
    assert change(plan, "kubernetes_cluster", "apps").action is Action.UPDATE
    assert _delta(plan)["instances"] == -6 and _delta(plan)["memory"] == -6 * 4096


def test_a_larger_offering_is_a_scale_of_every_node_and_a_smaller_one_is_refused() -> None:
    larger = cluster_plan(edit("offering: medium", "offering: large", APPS), cluster=live_cluster())
    assert change(larger, "kubernetes_cluster", "apps").action is Action.UPDATE
    assert _delta(larger)["cpu"] == 13 * 2 and _delta(larger)["instances"] == 0
    shrunk = cluster_plan(APPS, cluster=live_cluster(offering="large", cpu=4, memory_mib=8192))
    assert [(d.code.value, d.location.line) for d in shrunk.diagnostics] == [("SG208", 5)]
    assert "cannot scale down from offering 'large'" in shrunk.diagnostics[0].message


def test_an_upgrade_goes_forward_one_minor_at_most() -> None:
    for target in ("v1.27.8", "v1.28.4"):
        plan = cluster_plan(edit("v1.27.3", target, APPS), cluster=live_cluster())
        upgraded = change(plan, "kubernetes_cluster", "apps")
        assert (upgraded.action, upgraded.reason) == (Action.UPDATE, "upgraded")
    skipped = cluster_plan(edit("v1.27.3", "v1.29.1", APPS), cluster=live_cluster())
    problem = skipped.diagnostics[0]
    assert (problem.code.value, problem.location.line) == ("SG238", 5)  # the cluster's
    assert problem.message == (
        "kubernetes_cluster 'apps' cannot go from v1.27.3 to v1.29.1: Kubernetes clusters can "
        "be upgraded between next minor or patch version releases"
    )
    assert problem.hint == "upgrade one minor version at a time: next is v1.28.4"
    down = cluster_plan(edit("v1.27.3", "v1.26.9", APPS), cluster=live_cluster())
    assert "can not be downgraded" in down.diagnostics[0].message


def test_state_starts_or_stops_the_cluster_and_keeps_its_quota() -> None:
    plan = cluster_plan(APPS + "    state: Stopped\n", cluster=live_cluster())
    stopped = change(plan, "kubernetes_cluster", "apps")
    assert (stopped.action, [f.field for f in stopped.changed]) == (Action.UPDATE, ["state"])
    assert set(_delta(plan).values()) == {0}  # a stopped VM still counts (resource count)


def test_what_cks_cannot_change_in_place_replaces_the_cluster() -> None:
    other = f"  other-net: {{offering: {ISOLATED}, cidr: 10.2.0.0/24}}\nkubernetes_clusters:"
    two_networks = edit("kubernetes_clusters:", other, APPS)
    for old, new in (
        ("control_nodes: 3", "control_nodes: 5"),
        ("network: k8s-net", "network: other-net"),
        ("offering: medium", "offering: medium\n    node_root_disk: 20GiB"),
        ("offering: medium", "offering: medium\n    description: team apps"),
    ):
        plan = cluster_plan(edit(old, new, two_networks), live_cluster())
        replaced = change(plan, "kubernetes_cluster", "apps")
        assert replaced.action is Action.REPLACE, (old, new)
        assert replaced.lost == "the cluster: its nodes, their disks and every workload on them"


def test_a_cluster_in_error_is_replaced_and_a_busy_one_is_noted() -> None:
    failed = cluster_plan(cluster=live_cluster(state="Error"))
    again = change(failed, "kubernetes_cluster", "apps")
    assert again.action is Action.REPLACE
    assert again.reason == "the cluster is in Error in CloudStack: it is deleted and made again"
    busy = cluster_plan(edit("size: 10", "size: 12", APPS), cluster=live_cluster(state="Scaling"))
    assert change(busy, "kubernetes_cluster", "apps").action is Action.UPDATE
    assert codes(busy) == ["SG239"]
    assert busy.diagnostics[0].message == (
        "kubernetes_cluster 'apps' is Scaling in CloudStack now, which refuses other operations "
        "on it until that ends"
    )


def test_a_cluster_gone_from_the_repo_is_deleted_and_frees_its_nodes() -> None:
    text = APPS.split("kubernetes_clusters:")[0]
    plan = cluster_plan(text, cluster=live_cluster())
    gone = change(plan, "kubernetes_cluster", "apps")
    assert gone.action is Action.DELETE
    assert _delta(plan) == {
        "instances": -13,
        "cpu": -26,
        "memory": -13 * 4096,
        "volumes": -13,
        "primary_storage": -13 * 8,
        "public_ips": 0,
    }


def test_a_new_cluster_counts_every_node_and_its_new_networks_address_and_is_priced() -> None:
    prices = Prices(cpu=10, memory_gib=5, storage_gib=0.1, public_ip=3)
    plan = plan_of(
        edit("offering: medium", "offering: medium\n    node_root_disk: 40GiB", APPS),
        state=live(
            usages={"app": usage("app", **dict.fromkeys(QUOTAS, (0, None)))},
            cloud_catalog=_catalog(),
        ),
        prices=prices,
    )
    assert _delta(plan) == {
        "instances": 13,
        "cpu": 26,
        "memory": 13 * 4096,
        "volumes": 13,
        "primary_storage": 13 * 40,
        "public_ips": 1,  # the new network's source NAT address, taken by the first node
    }
    (cost,) = plan.costs
    assert (cost.before, cost.after) == (0, 26 * 10 + 13 * 4 * 5 + 13 * 40 * 0.1 + 3)


def test_a_cluster_scaled_stopped_or_upgraded_outside_stackgate_is_drift() -> None:
    for fields in ({"size": 12}, {"state": "Stopped"}, {"version": "v1.28.4"}):
        plan = cluster_plan(cluster=live_cluster(**fields))
        (drift,) = drift_of(plan)
        assert (drift.kind, drift.change.kind) == (DriftKind.CHANGED, "kubernetes_cluster")
        assert [f.field for f in drift.change.changed] == list(fields)
    # the repo is behind an upgrade made by hand: drift, and a plan CKS would refuse
    assert codes(cluster_plan(cluster=live_cluster(version="v1.28.4"))) == ["SG238"]


def test_a_node_root_disk_below_ckss_minimum_is_refused_at_its_line() -> None:
    """CreateKubernetesClusterCmd.getNodeRootDiskSize: less than 8 GB is refused."""
    small = edit("offering: medium", "offering: medium\n    node_root_disk: 4GiB", APPS)
    plan = cluster_plan(small)
    assert [(d.code.value, d.location.line, d.message) for d in plan.diagnostics] == [
        ("SG209", 10, "node root disk 4GiB is below CKS's minimum of 8GiB")
    ]


def test_workers_above_the_projects_instance_limit_are_refused_before_merge() -> None:
    quotas = dict.fromkeys(QUOTAS, (0, None)) | {"instances": (2, 12)}
    state = live(usages={"app": usage("app", **quotas)}, cloud_catalog=_catalog())
    plan = plan_of(APPS, state=state, clean=False)
    assert [(d.code.value, d.message) for d in plan.diagnostics] == [
        ("SG210", "project 'app' would use 15 of 12 instances (3 over the limit)")
    ]


def test_a_network_cks_cannot_use_is_refused_at_the_clusters_network() -> None:
    """validateNetwork: an isolated network (or tier) must offer UserData, Firewall (not a
    tier), PortForwarding and Dhcp; a shared one holds one control node only, since more
    need an external load balancer address the format does not take."""
    bare = replace(catalog().network_offerings[ISOLATED], name="bare", services=("Dhcp",))
    cloud = replace(_catalog(), network_offerings={**_catalog().network_offerings, "bare": bare})
    state = live(cloud_catalog=cloud)
    text = edit(f"offering: {ISOLATED}", "offering: bare", APPS)
    plan = plan_of(text, state=state, clean=False)
    assert [(d.code.value, d.location.line, d.message) for d in plan.diagnostics] == [
        (
            "SG240",
            10,
            "network 'k8s-net' (offering 'bare') does not offer UserData, Firewall, "
            "PortForwarding, which a Kubernetes cluster needs",
        )
    ]
    shared = edit(f"offering: {ISOLATED}", f"offering: {SHARED}", APPS)
    found = plan_of(shared, state=live(cloud_catalog=_catalog()), clean=False).diagnostics
    assert [(d.code.value, d.location.line) for d in found] == [("SG240", 10)]
    assert found[0].message == (
        "a cluster with 3 control nodes on shared network 'k8s-net' needs an external load "
        "balancer address, which the repo format does not take"
    )
    one = edit("control_nodes: 3", "control_nodes: 1", shared)
    assert plan_of(one, state=live(cloud_catalog=_catalog()), clean=False).diagnostics == ()


def test_a_scale_and_an_upgrade_together_say_both() -> None:
    text = edit("size: 10", "size: 12", edit("v1.27.3", "v1.28.4", APPS))
    both = change(cluster_plan(text, live_cluster()), "kubernetes_cluster", "apps")
    assert (both.action, both.reason) == (Action.UPDATE, "upgraded and scaled")
