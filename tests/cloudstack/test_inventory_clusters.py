"""Kubernetes clusters as the live reader sees them, through the real client and the sandbox:
the repo's by its project's record, hand-made ones untagged, their node VMs never instances."""

from __future__ import annotations

from pathlib import Path

from app.cloudstack.catalog import read_catalog
from app.cloudstack.client import CloudStackClient
from app.cloudstack.inventory import read_project, read_projects
from app.imports.cloud import read_rows
from tests.cloudstack.builders import Builder
from tests.cloudstack.conftest import API_KEY, SECRET_KEY, make_client
from tests.sandbox.conftest import start_without_cks

REPO = "git@example.com:acme/infra"


def test_a_recorded_cluster_is_read_in_the_repo_formats_terms_and_its_nodes_are_not_instances(
    client: CloudStackClient,
) -> None:
    build = Builder(client, REPO, "payments")
    network = build.network("k8s-net")
    build.instance("web-1", network)
    build.cluster("apps", network, controlnodes=1, size=2, noderootdisksize=20)
    live = read_project(client, REPO, read_catalog(client).projects["payments"])
    assert sorted(live.objects) == [
        ("instance", "web-1"),
        ("kubernetes_cluster", "apps"),
        ("network", "k8s-net"),
    ]
    assert dict(live.objects[("kubernetes_cluster", "apps")].fields) == {
        "version": "v1.27.3",
        "control_nodes": 1,
        "size": 2,
        "offering": "medium",
        "network": "k8s-net",
        "ssh_key": None,
        "node_root_disk_gib": 20,
        "zone": "zone-a",
        "description": "",
        "state": "Running",
        "cpu": 2,
        "memory_mib": 4096,
        "nodes_held": 3,
    }
    # no node is an untagged instance to adopt; the network's source NAT address is untagged
    assert [o.kind for o in live.untagged] == ["public_ip"] and live.foreign == ()
    vms = client.list("listVirtualMachines", projectid=build.project_id)
    assert len(vms) == 4  # web-1 and the three nodes CloudStack lists beside it


def test_a_cluster_made_by_hand_is_untagged_and_its_nodes_are_neither_adopted_nor_imported(
    client: CloudStackClient,
) -> None:
    build = Builder(client, REPO, "payments")
    network = build.network("k8s-net")
    made = build.cluster("by-hand", network, recorded=False)
    ref = read_catalog(client).projects["payments"]
    live = read_project(client, REPO, ref)
    untagged = {o.kind: o for o in live.untagged}
    assert sorted(untagged) == ["kubernetes_cluster", "public_ip"]  # and the source NAT address
    cluster = untagged["kubernetes_cluster"]
    assert (cluster.name, cluster.id, cluster.fields["state"]) == ("by-hand", made["id"], "Running")
    assert ("kubernetes_cluster", "by-hand") not in live.objects
    rows = read_rows(client, [ref])[ref.id].rows
    assert rows.get("instance", []) == []
    assert [row["name"] for row in rows["kubernetes_cluster"]] == ["by-hand"]


def test_another_repos_cluster_is_foreign(client: CloudStackClient) -> None:
    other = Builder(client, "git@example.com:someone/else", "payments")
    other.cluster("theirs", other.network("their-net", "10.9.0"))
    live = read_project(client, REPO, read_catalog(client).projects["payments"])
    assert [(o.name, o.repo) for o in live.foreign if o.kind == "kubernetes_cluster"] == [
        ("theirs", "git@example.com:someone/else")
    ]
    assert [o.kind for o in live.untagged] == ["public_ip"] and live.objects == {}


def test_a_stopped_or_scaled_cluster_reads_as_it_is_now(client: CloudStackClient) -> None:
    build = Builder(client, REPO, "payments")
    made = build.cluster("apps", build.network("k8s-net"))
    large = build.catalog_id("listServiceOfferings", "large")
    client.run("scaleKubernetesCluster", id=made["id"], size=3, serviceofferingid=large)
    client.run("stopKubernetesCluster", id=made["id"])
    live = read_project(client, REPO, read_catalog(client).projects["payments"])
    fields = live.objects[("kubernetes_cluster", "apps")].fields
    assert (fields["size"], fields["offering"], fields["state"]) == (3, "large", "Stopped")
    assert fields["node_root_disk_gib"] == 8  # CreateKubernetesClusterCmd's default
    assert sorted(kind for kind, _ in live.objects) == ["kubernetes_cluster", "network"]


def test_a_cloud_without_the_kubernetes_service_is_read_without_clusters(tmp_path: Path) -> None:
    """listKubernetesClusters answers 432 there: no clusters, not a failed read."""
    running = start_without_cks(tmp_path, API_KEY, SECRET_KEY)
    client = make_client(running)
    try:
        build = Builder(client, REPO, "payments")
        build.network("app-net")
        ref = read_catalog(client).projects["payments"]
        assert list(read_project(client, REPO, ref).objects) == [("network", "app-net")]
        assert "kubernetes_cluster" not in read_rows(client, [ref])[ref.id].rows
    finally:
        client.close()
        running.stop()


def test_a_sweep_of_many_projects_gives_each_its_clusters_by_its_own_record(
    client: CloudStackClient,
) -> None:
    payments, search = Builder(client, REPO, "payments"), Builder(client, REPO, "search")
    payments.cluster("apps", payments.network("k8s-net"))
    search.cluster("apps", search.network("k8s-net", "10.2.0"), recorded=False)
    projects = read_catalog(client).projects
    refs = [projects["payments"], projects["search"], projects["analytics"]]
    live = read_projects(client, REPO, refs)
    assert ("kubernetes_cluster", "apps") in live["payments"].objects
    assert ("kubernetes_cluster", "apps") not in live["search"].objects
    assert [o.name for o in live["search"].untagged if o.kind == "kubernetes_cluster"] == ["apps"]
    assert not any(
        kind == "instance" for live_project in live.values() for kind, _ in live_project.objects
    )
