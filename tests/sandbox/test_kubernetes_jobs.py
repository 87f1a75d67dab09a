"""A Kubernetes cluster's job that fails (a failure injected in it) leaves the cluster where
CKS's workers put it (KubernetesCluster.State's transitions): a create in Error, a scale,
upgrade, start or stop in Alert, which the state scanner reconciles to Running or Stopped
from its nodes; never in the passing state it was in."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.sandbox.conftest import CloudStackHttp, ClusterParams

# one of startKubernetesClusterOnCreate's own failures (KubernetesClusterStartWorker)
SETUP_FAILED = (
    "Failed to setup Kubernetes cluster : {name} in usable state as unable to provision API "
    "endpoint for the cluster"
)


def _fail_job(knobs: Callable[..., None], command: str, text: str) -> None:
    failure = {"command": command, "count": 1, "errorcode": 530, "errortext": text}
    knobs(fail_next=[{**failure, "in_job": True}])


def test_a_failed_create_job_leaves_the_cluster_in_error_for_a_delete(
    api: CloudStackHttp,
    project: dict[str, Any],
    cluster_params: ClusterParams,
    knobs: Callable[..., None],
) -> None:
    """startKubernetesClusterOnCreate moves the cluster Starting → Error on any failure
    (logTransitStateAndThrow with Event.CreateFailed); Error → Destroying on a delete."""
    options = cluster_params()
    text = SETUP_FAILED.format(name=options["name"])
    _fail_job(knobs, "createKubernetesCluster", text)
    job = api.run("createKubernetesCluster", **options)
    assert (job["jobstatus"], job["jobresultcode"], job["jobresult"]["errortext"]) == (2, 530, text)
    failed = api.one("listKubernetesClusters", projectid=project["id"])
    assert failed["state"] == "Error"
    api.done("deleteKubernetesCluster", id=failed["id"])
    assert api.items("listKubernetesClusters", projectid=project["id"]) == []
    assert api.items("listNetworks", projectid=project["id"]) == []


def test_a_failed_scale_job_leaves_the_cluster_in_alert_until_the_scanner_passes(
    api: CloudStackHttp,
    project: dict[str, Any],
    cluster_params: ClusterParams,
    knobs: Callable[..., None],
) -> None:
    """The ScaleWorker's failure is Scaling → Alert (Event.OperationFailed); a cluster in Alert
    is not scaled (validateKubernetesClusterScaleParameters) until KubernetesClusterStatusScanner
    (every 30 s) finds all its nodes running and reconciles it to Running."""
    options = cluster_params()
    cluster = api.result("createKubernetesCluster", **options)
    text = f"Failed to scale Kubernetes cluster : {cluster['name']}"
    _fail_job(knobs, "scaleKubernetesCluster", text)
    job = api.run("scaleKubernetesCluster", id=cluster["id"], size=2)
    assert (job["jobstatus"], job["jobresult"]["errortext"]) == (2, text)
    listed = api.one("listKubernetesClusters", id=cluster["id"], projectid=project["id"])
    assert (listed["state"], listed["size"]) == ("Alert", 1)
    again = api.run("scaleKubernetesCluster", id=cluster["id"], size=2)
    assert (again["jobresultcode"], again["jobresult"]["errortext"]) == (
        531,
        f"Kubernetes cluster : {cluster['name']} is in Alert state",
    )
    knobs(cks_scan_seconds=0)  # the scanner's next pass is due
    try:
        listed = api.one("listKubernetesClusters", id=cluster["id"], projectid=project["id"])
        assert listed["state"] == "Running"
        scaled = api.result("scaleKubernetesCluster", id=cluster["id"], size=2)
        assert (scaled["state"], scaled["size"]) == ("Running", 2)
    finally:
        knobs(cks_scan_seconds=30)


def test_a_cluster_in_alert_with_its_nodes_stopped_is_reconciled_to_stopped(
    api: CloudStackHttp,
    project: dict[str, Any],
    cluster_params: ClusterParams,
    knobs: Callable[..., None],
) -> None:
    """A failed start of a stopped cluster is Starting → Alert; the scanner finds every node
    stopped and moves it on to Stopped (StopRequested, OperationSucceeded)."""
    options = cluster_params()
    cluster = api.result("createKubernetesCluster", **options)
    api.done("stopKubernetesCluster", id=cluster["id"])
    _fail_job(knobs, "startKubernetesCluster", "Failed to start Kubernetes cluster")
    assert api.run("startKubernetesCluster", id=cluster["id"])["jobstatus"] == 2
    listed = api.one("listKubernetesClusters", id=cluster["id"], projectid=project["id"])
    assert listed["state"] == "Alert"
    knobs(cks_scan_seconds=0)
    try:
        listed = api.one("listKubernetesClusters", id=cluster["id"], projectid=project["id"])
        assert listed["state"] == "Stopped"
    finally:
        knobs(cks_scan_seconds=30)
