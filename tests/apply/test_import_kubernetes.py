"""A Kubernetes cluster made by hand: `stackgate import` writes it as a `kubernetes_clusters:`
entry (its node VMs are CKS's, never instances), the plan of that file only adopts, apply
records the cluster on the project (it takes no tags) and the next plan is empty."""

from __future__ import annotations

from pathlib import Path

from tests.apply.brownfield import REPO, ByHand, changes, imported
from tests.apply.cloud import env_for, stackgate


def _build(sandbox: str) -> ByHand:
    """A network, a VM and a cluster of one control node and two workers."""
    hand = ByHand(sandbox)
    cs = hand.cs
    (version,) = cs.listKubernetesSupportedVersions(name="v1.27.3")["kubernetessupportedversion"]
    net = hand.network("k8s-net")
    cs.deployVirtualMachine(
        name="tools", zoneid=hand.zone, templateid=hand.ubuntu, networkids=net["id"],
        serviceofferingid=hand.sizes["small"], projectid=hand.project,
    )  # fmt: skip
    cs.createKubernetesCluster(
        name="apps", zoneid=hand.zone, kubernetesversionid=version["id"], size=2,
        serviceofferingid=hand.sizes["medium"], networkid=net["id"], projectid=hand.project,
        noderootdisksize=20,
    )  # fmt: skip
    return hand


def test_a_hand_made_cluster_is_imported_adopted_and_recorded(sandbox: str, tmp_path: Path) -> None:
    hand = _build(sandbox)
    env = env_for(sandbox, tmp_path)
    repo = tmp_path / "repo"
    done, desired = imported(env, repo)
    assert done.returncode == 0, done.stdout[-3000:]
    written = (repo / "projects" / "payments.yaml").read_text(encoding="utf-8")
    assert "Kubernetes cluster" not in written.split("\nproject:")[0]  # none left out
    project = desired.projects["payments"]
    assert list(project.instances) == ["tools"]  # the cluster's three nodes are not instances
    cluster = project.kubernetes_clusters["apps"]
    assert (cluster.version, cluster.control_nodes, cluster.size) == ("v1.27.3", 1, 2)
    assert (cluster.offering, cluster.network, cluster.state) == ("medium", "k8s-net", "Running")
    assert cluster.node_root_disk is not None and cluster.node_root_disk.mib == 20 * 1024

    planned = changes(env, repo)
    assert {action for action, _, _ in planned} == {"adopt"}
    assert [name for _, kind, name in planned if kind in ("instance", "kubernetes_cluster")] == [
        "tools",
        "apps",
    ]
    applied = stackgate(env, "apply", str(repo), "--auto-approve")
    assert applied.returncode == 0, applied.stdout[-3000:]
    assert changes(env, repo) == []
    assert hand.project_tags().get("stackgate.kubernetes.apps") == REPO
