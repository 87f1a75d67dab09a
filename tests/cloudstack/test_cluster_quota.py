"""The quota table of a Kubernetes cluster tells the truth before merge: a 3-control-plane,
10-worker cluster planned against the sandbox, then made there with the plan's parameters,
leaves the project's resource counts exactly where the plan said, unit for unit; scaled, the
plan's difference is again what CloudStack counts."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from app.cloudstack.catalog import read_catalog
from app.cloudstack.client import CloudStackClient
from app.cloudstack.errors import JobFailed
from app.cloudstack.inventory import KUBERNETES_TAG
from app.plan.drift import DriftKind, drift_of
from app.plan.model import Action, Plan, QuotaLine
from tests.apply.test_apply_affinity_nat import make_repo
from tests.apply.world import World, sandbox_world

PROJECT = """\
project: payments
zone: zone-a
limits: {instances: 20, cpu: 40, memory: 64GiB, volumes: 20, primary_storage: 1TiB}
networks:
  k8s-net: {offering: DefaultIsolatedNetworkOfferingWithSourceNatService, cidr: 10.1.0.0/24}
kubernetes_clusters:
  apps:
    version: v1.27.3
    control_nodes: 3
    size: 10
    offering: medium
    network: k8s-net
    node_root_disk: 20GiB
"""


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    with sandbox_world(make_repo(tmp_path, PROJECT)[0]) as made:
        yield made


def _after(plan: Plan) -> dict[str, int]:
    """What the quota table says the project uses once the plan is applied."""
    return {line.resource: line.used + line.change for line in _project(plan)}


def _project(plan: Plan) -> list[QuotaLine]:
    return [line for line in plan.quotas if line.scope == "project"]


def _counted(client: CloudStackClient) -> dict[str, int]:
    """What CloudStack counts now (listProjects' *total fields)."""
    usage = read_catalog(client).projects["payments"].usage
    assert usage is not None
    return {resource: quota.used for resource, quota in usage.quotas.items()}


def _create(world: World, plan: Plan) -> None:
    """The cluster made as apply makes it: createKubernetesCluster with the change's fields
    (the rest of the plan through apply's own operations)."""
    world.apply(
        replace(plan, changes=tuple(c for c in plan.changes if c.kind != "kubernetes_cluster"))
    )
    (change,) = [c for c in plan.changes if c.kind == "kubernetes_cluster"]
    fields = change.after or {}
    ctx = world.context("payments")
    client, catalog = ctx.client, ctx.catalog
    versions = client.list("listKubernetesSupportedVersions")
    client.run(  # recorded first, as apply records it, so a cluster left in Error is the repo's
        "createTags",
        resourcetype="Project",
        resourceids=ctx.project_id,
        tags=[{"key": f"{KUBERNETES_TAG}{change.name}", "value": world.repo}],
    )
    client.run(
        "createKubernetesCluster",
        name=change.name,
        zoneid=catalog.zones[fields["zone"]].id,
        projectid=ctx.project_id,
        kubernetesversionid=next(v["id"] for v in versions if v["name"] == fields["version"]),
        serviceofferingid=catalog.service_offerings[fields["offering"]].id,
        networkid=ctx.ids[f"network/{fields['network']}"],
        controlnodes=fields["control_nodes"],
        size=fields["size"],
        noderootdisksize=fields["node_root_disk_gib"],
    )


def test_the_quota_table_of_a_new_cluster_is_what_cloudstack_counts(world: World) -> None:
    plan = world.plan()
    expected = _after(plan)
    assert {r: expected[r] for r in ("instances", "cpu", "memory", "volumes")} == {
        "instances": 13,
        "cpu": 26,
        "memory": 13 * 4096,
        "volumes": 13,
    }
    assert (expected["primary_storage"], expected["networks"], expected["public_ips"]) == (
        13 * 20,
        1,
        1,
    )
    _create(world, plan)
    counted = _counted(world.clouds.client("dc1"))
    assert {r: counted[r] for r in expected} == expected  # every row of the table
    assert world.plan().changes == ()  # read back as planned: nothing left to do


def test_a_scale_up_is_counted_by_its_difference(world: World) -> None:
    _create(world, world.plan())
    client = world.clouds.client("dc1")
    before = _counted(client)
    path = world.root / "projects" / "payments.yaml"
    world.edit("projects/payments.yaml", path.read_text().replace("size: 10", "size: 13"))
    plan = world.plan()
    delta = {line.resource: line.change for line in _project(plan) if line.change}
    assert delta == {
        "instances": 3,
        "cpu": 6,
        "memory": 3 * 4096,
        "volumes": 3,
        "primary_storage": 3 * 20,
    }
    ctx = world.context("payments")
    cluster_id = ctx.ids["kubernetes_cluster/apps"]
    client.run("scaleKubernetesCluster", id=cluster_id, size=13)
    assert _counted(client) == {r: before[r] + delta.get(r, 0) for r in before}
    assert world.plan().changes == ()


def test_a_cluster_in_error_counts_the_nodes_it_holds(world: World) -> None:
    """A create that ran out of instances leaves the cluster in Error with the nodes made so
    far, each counted as the VM it is (UserVmManagerImpl increments the project's counts per
    VM): replacing it adds only the nodes it lacks, and once applied the project counts what
    the table said."""
    plan = world.plan()
    ctx = world.context("payments")
    ctx.client.request("updateResourceLimit", projectid=ctx.project_id, resourcetype=0, max=5)
    with pytest.raises(JobFailed):
        _create(world, plan)  # three control nodes and two workers made, the sixth refused
    held = _counted(world.clouds.client("dc1"))
    assert (held["instances"], held["cpu"], held["volumes"]) == (5, 10, 5)
    plan = world.plan()
    (cluster,) = [c for c in plan.changes if c.kind == "kubernetes_cluster"]
    assert (cluster.action, (cluster.before or {})["state"]) == (Action.REPLACE, "Error")
    change = {line.resource: line.change for line in _project(plan)}
    assert (change["instances"], change["cpu"], change["volumes"]) == (8, 16, 8)
    expected = _after(plan)
    world.apply(plan)
    counted = _counted(world.clouds.client("dc1"))
    assert {r: counted[r] for r in expected} == expected
    assert world.plan().changes == ()


ON_A_TIER = """\
project: payments
zone: zone-a
vpcs:
  shop:
    offering: Default VPC offering
    cidr: 10.20.0.0/16
    tiers:
      k8s: {offering: DefaultIsolatedNetworkOfferingForVpcNetworks, cidr: 10.20.1.0/24}
kubernetes_clusters:
  apps: {version: v1.27.3, size: 2, offering: medium, network: k8s}
"""


def test_a_cluster_on_a_vpc_tier_counts_the_address_cks_takes_for_it(tmp_path: Path) -> None:
    """acquireVpcTierKubernetesPublicIp: one address beside the VPC's source NAT address."""
    with sandbox_world(make_repo(tmp_path, ON_A_TIER)[0]) as world:
        plan = world.plan()
        cluster = next(c for c in plan.changes if c.kind == "kubernetes_cluster")
        assert (cluster.after or {})["vpc"] == "shop"
        expected = _after(plan)
        assert (expected["public_ips"], expected["instances"]) == (2, 3)
        _create(world, plan)
        counted = _counted(world.clouds.client("dc1"))
        assert {r: counted[r] for r in expected} == expected
        assert world.plan().changes == ()


def test_a_cluster_on_a_network_no_vm_used_yet_counts_its_source_nat_address(
    world: World,
) -> None:
    """The first node implements the network, whose router takes a source NAT address."""
    path = world.root / "projects" / "payments.yaml"
    text = path.read_text()
    world.edit("projects/payments.yaml", text.split("kubernetes_clusters:")[0])
    world.apply(world.plan())  # the network alone: Allocated, no address yet
    world.edit("projects/payments.yaml", text)
    plan = world.plan()
    expected = _after(plan)
    assert [line.change for line in _project(plan) if line.resource == "public_ips"] == [1]
    _create(world, plan)
    counted = _counted(world.clouds.client("dc1"))
    assert {r: counted[r] for r in expected} == expected


def test_a_cluster_scaled_and_stopped_outside_stackgate_is_drift_and_its_nodes_are_not(
    world: World,
) -> None:
    _create(world, world.plan())
    ctx = world.context("payments")
    cluster_id = ctx.ids["kubernetes_cluster/apps"]
    ctx.client.run("scaleKubernetesCluster", id=cluster_id, size=12)
    ctx.client.run("stopKubernetesCluster", id=cluster_id)
    plan = world.plan()
    (drift,) = drift_of(plan)
    assert (drift.kind, drift.change.action, drift.change.address) == (
        DriftKind.CHANGED,
        Action.UPDATE,
        "payments/kubernetes_cluster/apps",
    )
    assert [(f.field, f.before, f.after) for f in drift.change.changed] == [
        ("size", 12, 10),
        ("state", "Stopped", "Running"),
    ]
    assert {line.resource: line.change for line in _project(plan) if line.change} == {
        "instances": -2,
        "cpu": -4,
        "memory": -2 * 4096,
        "volumes": -2,
        "primary_storage": -2 * 20,
    }
