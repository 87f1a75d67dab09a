"""A Kubernetes cluster's life through `stackgate apply` on a sandbox process: made, scaled up
and down (workers and offering), upgraded, stopped, scaled while stopped, started, deleted.
Each step is planned as the update CKS makes in place, applied, and ends with an empty plan."""

from __future__ import annotations

from pathlib import Path

from tests.apply.cloud import converged, env_for
from tests.apply.test_apply_affinity_nat import applied, calls, client, edit, make_repo, planned
from tests.apply.test_apply_kubernetes import PROJECT, summary

APPS = "payments/kubernetes_cluster/apps"


def _summary(sandbox: str) -> tuple[str, int, str, str, list[str]]:
    """State, workers, offering, version and the states of the project's VMs (its nodes)."""
    cs = client(sandbox)
    (cluster,) = cs.listKubernetesClusters(projectid=-1, listall=True)["kubernetescluster"]
    vms = cs.listVirtualMachines(projectid=-1, listall=True).get("virtualmachine", [])
    return summary(cluster, vms)


def _step(env: dict[str, str], repo: Path, path: Path, old: str, new: str) -> None:
    """One edit of the cluster: planned as its in-place update, applied, converged."""
    edit(path, (old, new))
    assert planned(env, repo) == [("update", APPS)]
    applied(env, repo)
    converged(env, repo)


def test_a_cluster_is_made_scaled_upgraded_stopped_started_and_deleted(
    sandbox: str, tmp_path: Path
) -> None:
    env = env_for(sandbox, tmp_path)
    repo, path = make_repo(tmp_path, PROJECT)
    assert planned(env, repo) == [("create", APPS), ("create", "payments/network/k8s-net")]
    applied(env, repo)
    converged(env, repo)
    assert _summary(sandbox) == ("Running", 1, "medium", "v1.27.3", ["Running"] * 2)

    _step(env, repo, path, "size: 1", "size: 3")
    assert _summary(sandbox) == ("Running", 3, "medium", "v1.27.3", ["Running"] * 4)
    _step(env, repo, path, "size: 3, offering: medium", "size: 2, offering: large")
    assert _summary(sandbox) == ("Running", 2, "large", "v1.27.3", ["Running"] * 3)
    _step(env, repo, path, "v1.27.3", "v1.28.4")
    assert _summary(sandbox) == ("Running", 2, "large", "v1.28.4", ["Running"] * 3)
    _step(env, repo, path, "network: k8s-net}", "network: k8s-net, state: Stopped}")
    assert _summary(sandbox) == ("Stopped", 2, "large", "v1.28.4", ["Stopped"] * 3)
    # CKS scales only a running cluster's workers: it is started, scaled and stopped again
    _step(env, repo, path, "size: 2", "size: 1")
    assert _summary(sandbox) == ("Stopped", 1, "large", "v1.28.4", ["Stopped"] * 2)
    _step(env, repo, path, ", state: Stopped}", "}")
    assert _summary(sandbox) == ("Running", 1, "large", "v1.28.4", ["Running"] * 2)

    path.write_text(PROJECT.split("kubernetes_clusters:")[0])
    assert planned(env, repo) == [("delete", APPS)]
    applied(env, repo)
    converged(env, repo)
    cs = client(sandbox)
    assert cs.listKubernetesClusters(projectid=-1, listall=True).get("kubernetescluster") is None
    assert cs.listVirtualMachines(projectid=-1, listall=True).get("virtualmachine") is None
    (project,) = cs.listProjects(name="payments", listall=True)["project"]
    assert not any(t["key"].startswith("stackgate.kubernetes.") for t in project.get("tags", []))
    assert calls(sandbox, "getKubernetesClusterConfig") == 0  # the kubeconfig is the team's
