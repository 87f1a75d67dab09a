"""`stackgate apply` killed while a Kubernetes cluster's create is on the wire: the resumed
apply finds the cluster by its name in the project, waits for it to run and records it; no
second cluster is made."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from app.cloudstack.inventory import KUBERNETES_TAG
from tests.apply.cloud import converged, env_for, knobs, stackgate
from tests.apply.test_apply_affinity_nat import applied, calls, client, edit, make_repo
from tests.apply.test_apply_kubernetes import PROJECT
from tests.apply.test_apply_nat_in_flight import _in_state, _killed_in_flight, _wait_for
from tests.sandbox.test_kubernetes_jobs import SETUP_FAILED


def test_a_cluster_created_while_killed_is_made_once(sandbox: str, tmp_path: Path) -> None:
    env = env_for(sandbox, tmp_path)
    repo, _ = make_repo(tmp_path, PROJECT)
    command = "createKubernetesCluster"
    _killed_in_flight(sandbox, env, repo, tmp_path, command, "kubernetes_cluster:started")
    resumed = stackgate(env, "apply", str(repo), "--auto-approve")
    assert resumed.returncode == 0, resumed.stdout[-3000:]
    assert resumed.stdout.startswith("Resuming apply 1:")
    assert calls(sandbox, command) == 1
    converged(env, repo)
    cs = client(sandbox)
    (cluster,) = cs.listKubernetesClusters(projectid=-1, listall=True)["kubernetescluster"]
    assert (cluster["name"], cluster["state"], cluster["size"]) == ("apps", "Running", 1)
    (project,) = cs.listProjects(name="payments", listall=True)["project"]
    record = {t["key"]: t["value"] for t in project.get("tags", [])}.get(KUBERNETES_TAG + "apps")
    assert record is not None and record.endswith("infra")  # the repo's name


def test_a_scale_sent_while_killed_is_not_sent_again(sandbox: str, tmp_path: Path) -> None:
    env = env_for(sandbox, tmp_path)
    repo, path = make_repo(tmp_path, PROJECT)
    applied(env, repo)
    edit(path, ("size: 1", "size: 2"))
    command = "scaleKubernetesCluster"
    _killed_in_flight(sandbox, env, repo, tmp_path, command, "kubernetes_cluster:started")
    resumed = stackgate(env, "apply", str(repo), "--auto-approve")
    assert resumed.returncode == 0, resumed.stdout[-3000:]
    assert resumed.stdout.startswith("Resuming apply 2:")
    assert calls(sandbox, command) == 1  # the resumed step found the cluster scaled
    converged(env, repo)
    (cluster,) = client(sandbox).listKubernetesClusters(projectid=-1, listall=True)[
        "kubernetescluster"
    ]
    assert (cluster["state"], cluster["size"], len(cluster["virtualmachines"])) == ("Running", 2, 3)


@pytest.mark.parametrize("cause", ["a node over the limit", "its job"])
def test_a_create_that_failed_while_killed_is_cleaned_and_made_on_resume(
    sandbox: str, tmp_path: Path, cause: str
) -> None:
    env = env_for(sandbox, tmp_path)
    repo, _ = make_repo(tmp_path, PROJECT)
    cs = client(sandbox)
    (project,) = cs.listProjects(name="payments", listall=True)["project"]
    command = "createKubernetesCluster"

    def squeeze() -> None:
        """Once the create is on the wire (planned within the limits), room for the control
        node but not its worker: the job fails with nobody waiting for it."""
        _wait_for(lambda: _in_state(tmp_path, "kubernetes_cluster", "started"), "the create")
        cs.updateResourceLimit(projectid=project["id"], resourcetype=0, max=1)

    squeezing = threading.Thread(target=squeeze if cause == "a node over the limit" else None)
    if cause == "its job":  # the StartWorker's own failure: the cluster goes to Error
        failure = {"command": command, "count": 1, "errorcode": 530, "in_job": True}
        knobs(sandbox, fail_next=[{**failure, "errortext": SETUP_FAILED.format(name="apps")}])
    squeezing.start()
    _killed_in_flight(sandbox, env, repo, tmp_path, command, "kubernetes_cluster:started")
    squeezing.join()
    (failed,) = cs.listKubernetesClusters(projectid=-1, listall=True)["kubernetescluster"]
    assert failed["state"] == "Error"
    cs.updateResourceLimit(projectid=project["id"], resourcetype=0, max=20)
    resumed = stackgate(env, "apply", str(repo), "--auto-approve")
    assert resumed.returncode == 0, resumed.stdout[-3000:]
    with sqlite3.connect(f"file:{tmp_path / 'stackgate.db'}?mode=ro", uri=True) as db:
        (note,) = db.execute(
            "SELECT error FROM apply_steps WHERE address = 'payments/kubernetes_cluster/apps'"
        ).fetchone()
    assert note == f"a cluster left in Error ({failed['id']}) was removed"  # journaled
    converged(env, repo)
    (cluster,) = cs.listKubernetesClusters(projectid=-1, listall=True)["kubernetescluster"]
    assert cluster["id"] != failed["id"] and cluster["state"] == "Running"
    assert calls(sandbox, command) == 2
