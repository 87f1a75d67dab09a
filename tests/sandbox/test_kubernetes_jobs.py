"""A Kubernetes cluster's job that fails (a failure injected in it) leaves the cluster where
CKS's workers put it (KubernetesCluster.State's transitions): a create in Error, a scale,
upgrade, start or stop in Alert; never in the passing state it was in."""

from __future__ import annotations

from typing import Any

from app.sandbox.server import RunningSandbox
from tests.sandbox.conftest import Catalog, CloudStackHttp
from tests.sandbox.test_kubernetes import _create, offerings, versions

__all__ = ["offerings", "versions"]
# one of startKubernetesClusterOnCreate's own failures (KubernetesClusterStartWorker)
SETUP_FAILED = (
    "Failed to setup Kubernetes cluster : {name} in usable state as unable to provision API "
    "endpoint for the cluster"
)


def _fail_job(sandbox: RunningSandbox, api: CloudStackHttp, command: str, text: str) -> None:
    knobs = sandbox.url.replace("/client/api", "/sandbox/knobs")
    failure = {"command": command, "count": 1, "errorcode": 530, "errortext": text}
    assert api.session.post(knobs, json={"fail_next": [{**failure, "in_job": True}]}).ok


def test_a_failed_create_job_leaves_the_cluster_in_error_for_a_delete(
    sandbox: RunningSandbox,
    api: CloudStackHttp,
    catalog: Catalog,
    project: dict[str, Any],
    versions: dict[str, dict[str, Any]],
    offerings: dict[str, str],
) -> None:
    """startKubernetesClusterOnCreate moves the cluster Starting → Error on any failure
    (logTransitStateAndThrow with Event.CreateFailed); Error → Destroying on a delete."""
    options = _create(catalog, project, versions["v1.27.3"], offerings["medium"])
    text = SETUP_FAILED.format(name=options["name"])
    _fail_job(sandbox, api, "createKubernetesCluster", text)
    job = api.run("createKubernetesCluster", **options)
    assert (job["jobstatus"], job["jobresultcode"], job["jobresult"]["errortext"]) == (2, 530, text)
    failed = api.one("listKubernetesClusters", projectid=project["id"])
    assert failed["state"] == "Error"
    api.done("deleteKubernetesCluster", id=failed["id"])
    assert api.items("listKubernetesClusters", projectid=project["id"]) == []
    assert api.items("listNetworks", projectid=project["id"]) == []


def test_a_failed_scale_job_leaves_the_cluster_in_alert(
    sandbox: RunningSandbox,
    api: CloudStackHttp,
    catalog: Catalog,
    project: dict[str, Any],
    versions: dict[str, dict[str, Any]],
    offerings: dict[str, str],
) -> None:
    """The ScaleWorker's failure is Scaling → Alert (Event.OperationFailed); a cluster in Alert
    is scaled no more (validateKubernetesClusterScaleParameters) but may be stopped."""
    options = _create(catalog, project, versions["v1.27.3"], offerings["medium"])
    cluster = api.result("createKubernetesCluster", **options)
    text = f"Failed to scale Kubernetes cluster : {cluster['name']}"
    _fail_job(sandbox, api, "scaleKubernetesCluster", text)
    job = api.run("scaleKubernetesCluster", id=cluster["id"], size=2)
    assert (job["jobstatus"], job["jobresult"]["errortext"]) == (2, text)
    listed = api.one("listKubernetesClusters", id=cluster["id"], projectid=project["id"])
    assert (listed["state"], listed["size"]) == ("Alert", 1)
    again = api.run("scaleKubernetesCluster", id=cluster["id"], size=2)
    assert (again["jobresultcode"], again["jobresult"]["errortext"]) == (
        531,
        f"Kubernetes cluster : {cluster['name']} is in Alert state",
    )
    api.done("stopKubernetesCluster", id=cluster["id"])
    stopped = api.one("listKubernetesClusters", id=cluster["id"], projectid=project["id"])
    assert stopped["state"] == "Stopped"
