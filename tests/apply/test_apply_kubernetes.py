"""Kubernetes clusters applied on the sandbox through the real client: one declared stopped is
made and stopped; a create that fails (a node over the limit, or its job) leaves nothing
behind and the next apply makes the cluster; one made by hand is adopted. Its whole life
through `stackgate apply`: test_apply_kubernetes_lifecycle.py."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.apply.journal import Run
from app.apply.operations.kubernetes import CREATE
from app.cloudstack.catalog import tag_map
from app.cloudstack.inventory import KUBERNETES_TAG
from app.plan.model import Action
from tests.apply.cloud import knobs
from tests.apply.test_apply_affinity_nat import make_repo
from tests.apply.world import World, sandbox_world
from tests.sandbox.test_kubernetes_jobs import SETUP_FAILED

FILE = "projects/payments.yaml"
PROJECT = """\
project: payments
zone: zone-a
networks:
  k8s-net: {offering: DefaultIsolatedNetworkOfferingWithSourceNatService, cidr: 10.1.0.0/24}
kubernetes_clusters:
  apps: {version: v1.27.3, size: 1, offering: medium, network: k8s-net}
"""
CLUSTER = "apps: {version: v1.27.3, size: 1, offering: medium, network: k8s-net}"


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    with sandbox_world(make_repo(tmp_path, PROJECT)[0]) as made:
        yield made


def _clusters(world: World) -> list[dict[str, Any]]:
    ctx = world.context("payments")
    return ctx.client.list("listKubernetesClusters", projectid=ctx.project_id)


def _cluster(world: World) -> dict[str, Any]:
    (cluster,) = _clusters(world)
    return cluster


def summary(
    cluster: dict[str, Any], vms: list[dict[str, Any]]
) -> tuple[str, int, str, str, list[str]]:
    """State, workers, offering, version and the states of its node VMs, as CKS lists them."""
    return (
        cluster["state"],
        int(cluster["size"]),
        cluster["serviceofferingname"],
        cluster["kubernetesversionname"],
        sorted(vm["state"] for vm in vms),
    )


def _summary(world: World) -> tuple[str, int, str, str, list[str]]:
    """The summary of the payments project's one cluster (its VMs are the cluster's nodes)."""
    ctx = world.context("payments")
    vms = ctx.client.list("listVirtualMachines", projectid=ctx.project_id)
    return summary(_cluster(world), vms)


def _record(world: World) -> str | None:
    ctx = world.context("payments")
    (project,) = ctx.client.list("listProjects", id=ctx.project_id)
    return tag_map(project).get(KUBERNETES_TAG + "apps")


def _failed_and_cleaned(world: World, run: Run, text: str) -> None:
    """The cluster's create failed with ``text`` and what it left is gone again."""
    step = {s.address: s for s in run.steps}["payments/kubernetes_cluster/apps"]
    assert step.state == "failed"
    assert step.error is not None and text in step.error
    assert f"(what it left, {step.resource_id}, was removed)" in step.error
    assert _clusters(world) == []


def _made_next_time(world: World, tmp_path: Path) -> None:
    """The next run makes the cluster, running as the repo says, and nothing is left to do."""
    again = world.execute(world.plan(), tmp_path / "second.db")
    assert again.succeeded, again.steps
    assert _summary(world) == ("Running", 1, "medium", "v1.27.3", ["Running"] * 2)
    assert world.plan().changes == ()


def test_a_cluster_declared_stopped_is_made_and_stopped(world: World) -> None:
    world.edit(FILE, PROJECT.replace(CLUSTER, CLUSTER.replace("}", ", state: Stopped}")))
    world.apply(world.plan())
    assert _summary(world) == ("Stopped", 1, "medium", "v1.27.3", ["Stopped"] * 2)
    assert world.plan().changes == ()


def test_a_failed_create_is_reported_in_cloudstacks_words_cleaned_and_made_next_time(
    world: World, tmp_path: Path
) -> None:
    plan = world.plan()
    ctx = world.context("payments")
    # Room for the control node but not its worker: the job's StartWorker fails the cluster.
    ctx.client.request("updateResourceLimit", projectid=ctx.project_id, resourcetype=0, max=1)
    run = world.execute(plan, tmp_path / "first.db")
    _failed_and_cleaned(world, run, "Provisioning node VM failed in the Kubernetes cluster : apps")
    assert ctx.client.list("listVirtualMachines", projectid=ctx.project_id) == []

    ctx.client.request("updateResourceLimit", projectid=ctx.project_id, resourcetype=0, max=20)
    _made_next_time(world, tmp_path)


def test_a_create_whose_job_fails_is_reported_cleaned_and_made_next_time(
    world: World, tmp_path: Path
) -> None:
    """The create's job itself fails (startKubernetesClusterOnCreate: the cluster goes to
    Error), not a node over the project's limit: the same report, clean-up and next run."""
    plan = world.plan()
    ctx = world.context("payments")
    text = SETUP_FAILED.format(name="apps")
    failure = {"command": CREATE, "count": 1, "errorcode": 530, "errortext": text}
    knobs(
        ctx.client.endpoint.url.removesuffix("/client/api"), fail_next=[{**failure, "in_job": True}]
    )
    run = world.execute(plan, tmp_path / "first.db")
    _failed_and_cleaned(world, run, text)
    _made_next_time(world, tmp_path)


def test_a_cluster_made_by_hand_is_adopted_scaled_and_recorded(
    world: World, tmp_path: Path
) -> None:
    world.edit(FILE, PROJECT.split("kubernetes_clusters:")[0])
    world.apply(world.plan())  # the network
    ctx = world.context("payments")
    catalog = ctx.catalog
    ctx.client.run(
        "createKubernetesCluster",
        name="apps",
        zoneid=catalog.zones["zone-a"].id,
        kubernetesversionid=(catalog.kubernetes_versions or {})["v1.27.3"].id,
        serviceofferingid=catalog.service_offerings["medium"].id,
        networkid=ctx.ids["network/k8s-net"],
        size=1,
        projectid=ctx.project_id,
    )
    world.edit(FILE, PROJECT.replace(CLUSTER, CLUSTER.replace("size: 1", "size: 2")))
    plan = world.plan()
    assert [(c.action, c.address, [f.field for f in c.changed]) for c in plan.changes] == [
        (Action.ADOPT, "payments/kubernetes_cluster/apps", ["size"])
    ]
    assert world.execute(plan, tmp_path / "journal.db").succeeded
    assert _summary(world) == ("Running", 2, "medium", "v1.27.3", ["Running"] * 3)
    assert _record(world) == world.repo
    assert world.plan().changes == ()


def test_a_cluster_replaced_is_deleted_then_made_anew_and_recorded(
    world: World, tmp_path: Path
) -> None:
    world.apply(world.plan())
    before = str(_cluster(world)["id"])
    world.edit(FILE, PROJECT.replace(CLUSTER, CLUSTER.replace("}", ", description: shop}")))
    plan = world.plan()
    assert [(c.action, c.address) for c in plan.changes] == [
        (Action.REPLACE, "payments/kubernetes_cluster/apps")
    ]
    assert world.execute(plan, tmp_path / "journal.db").succeeded
    cluster = _cluster(world)
    assert (cluster["description"], cluster["state"]) == ("shop", "Running")
    assert str(cluster["id"]) != before
    assert _record(world) == world.repo
    assert world.plan().changes == ()


def test_a_twin_made_by_hand_is_neither_deleted_nor_taken(world: World) -> None:
    """CKS refuses no second cluster of a name, and the project records a cluster by its
    name: the one listed first (the older; CKS lists by id) stays the repo's, a later twin is
    someone's own, never planned away as a duplicate left by an interrupted apply."""
    world.apply(world.plan())
    ctx = world.context("payments")
    (ours,) = _clusters(world)
    ctx.client.run(
        "createKubernetesCluster",
        name="apps",
        zoneid=ours["zoneid"],
        kubernetesversionid=ours["kubernetesversionid"],
        serviceofferingid=ours["serviceofferingid"],
        size=1,
        projectid=ctx.project_id,
    )
    plan = world.plan()
    assert plan.changes == ()
    assert world.context("payments").ids["kubernetes_cluster/apps"] == ours["id"]
