"""The Kubernetes Service as the sandbox serves it (KubernetesClusterManagerImpl): versions,
a cluster's life from create to delete, the VMs it makes and what they count, its refusals."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from app.sandbox.server import RunningSandbox
from tests.sandbox.conftest import (
    Catalog,
    CloudStackHttp,
    ClusterParams,
    fresh_slow,
    kubernetes_params,
    start_without_cks,
    unique,
)

__all__ = ["fresh_slow"]


def test_supported_versions_carry_minimums_and_ha(versions: dict[str, dict[str, Any]]) -> None:
    assert set(versions) == {"v1.15.12", "v1.27.3", "v1.28.4"}
    old, new = versions["v1.15.12"], versions["v1.28.4"]
    assert (old["supportsha"], new["supportsha"]) == (False, True)
    assert (new["mincpunumber"], new["minmemory"], new["state"]) == (2, 4096, "Enabled")
    assert old["isostate"] == "Ready"


def test_a_cluster_runs_its_nodes_as_project_vms_counted_in_the_project(
    api: CloudStackHttp, project: dict[str, Any], cluster_params: ClusterParams
) -> None:
    options = cluster_params(controlnodes=3, size=10)
    job = api.run("createKubernetesCluster", **options)  # 26 CPUs: over the default 20
    assert (job["jobstatus"], job["jobresult"]["errortext"]) == (
        2,
        f"Provisioning node VM failed in the Kubernetes cluster : {options['name']}",
    )
    failed = api.one("listKubernetesClusters", projectid=project["id"])
    assert (failed["state"], len(failed["virtualmachines"])) == ("Error", 10)
    api.done("deleteKubernetesCluster", id=failed["id"])
    assert api.items("listVirtualMachines", projectid=project["id"]) == []
    for kind, maximum in ((8, 64), (9, 65536)):  # CPUs, memory in MiB
        api.ok("updateResourceLimit", projectid=project["id"], resourcetype=kind, max=maximum)
    cluster = api.result("createKubernetesCluster", **options)
    assert (cluster["state"], cluster["controlnodes"], cluster["size"]) == ("Running", 3, 10)
    assert (cluster["cpunumber"], cluster["memory"]) == ("26", str(13 * 4096))
    assert cluster["project"] == project["name"] and "account" not in cluster
    assert cluster["endpoint"] == f"https://{cluster['ipaddress']}:6443/"
    vms = api.items("listVirtualMachines", projectid=project["id"])
    assert sorted(vm["id"] for vm in vms) == sorted(vm["id"] for vm in cluster["virtualmachines"])
    assert {vm["vmtype"] for vm in vms} == {"cksnode"}
    names = sorted(vm["name"].split("-")[-2] for vm in vms)
    assert names == ["control"] * 3 + ["node"] * 10
    assert all(vm["name"].startswith(str(options["name"])) for vm in vms)
    listed = api.one("listProjects", id=project["id"])
    assert (listed["vmtotal"], listed["cputotal"], listed["memorytotal"]) == (13, 26, 13 * 4096)
    assert listed["volumetotal"] == 13 and listed["primarystoragetotal"] == 13 * 8
    assert (listed["networktotal"], listed["iptotal"]) == (1, 1)  # its network, source NAT


def test_scale_upgrade_stop_start_and_delete(
    fresh_slow: CloudStackHttp,
) -> None:
    api = fresh_slow
    catalog = Catalog(api)
    offerings = {o["name"]: o["id"] for o in api.items("listServiceOfferings")}
    ids = {v["name"]: v["id"] for v in api.items("listKubernetesSupportedVersions")}
    project = api.result("createProject", name=unique("prj"), displaytext="k8s")
    options = kubernetes_params(catalog, project["id"], ids["v1.27.3"], offerings["medium"])
    created = api.ok("createKubernetesCluster", **options)
    seen = api.one("listKubernetesClusters", id=created["id"], projectid=project["id"])
    assert seen["state"] == "Starting"
    code, body = api.fail("getKubernetesClusterConfig", id=created["id"])
    assert (code, body["errortext"]) == (
        530,
        f"Setup is in progress for Kubernetes cluster : {seen['name']}, config not available "
        "at this moment",
    )
    assert api.job(created["jobid"])["jobstatus"] == 1

    def state() -> str:
        cluster = api.one("listKubernetesClusters", id=created["id"], projectid=project["id"])
        return str(cluster["state"])

    def step(command: str, during: str, after: str, **params: object) -> dict[str, Any]:
        job = api.ok(command, id=created["id"], **params)["jobid"]
        assert state() == during
        result = api.job(job)
        assert (result["jobstatus"], state()) == (1, after), result
        return result

    step("scaleKubernetesCluster", "Scaling", "Running", size=3)
    assert len(api.items("listVirtualMachines", projectid=project["id"])) == 4
    step(
        "scaleKubernetesCluster", "Scaling", "Running", size=2, serviceofferingid=offerings["large"]
    )
    vms = api.items("listVirtualMachines", projectid=project["id"])
    assert len(vms) == 3 and {vm["serviceofferingname"] for vm in vms} == {"large"}
    step("upgradeKubernetesCluster", "Upgrading", "Running", kubernetesversionid=ids["v1.28.4"])
    cluster = api.one("listKubernetesClusters", id=created["id"], projectid=project["id"])
    assert cluster["kubernetesversionname"] == "v1.28.4"
    step("stopKubernetesCluster", "Stopping", "Stopped")
    assert {vm["state"] for vm in api.items("listVirtualMachines", projectid=project["id"])} == {
        "Stopped"
    }
    step("startKubernetesCluster", "Starting", "Running")
    config = api.ok("getKubernetesClusterConfig", id=created["id"])["clusterconfig"]
    assert config["configdata"].startswith("apiVersion: v1\nkind: Config\n")
    job = api.ok("deleteKubernetesCluster", id=created["id"])["jobid"]
    assert state() == "Destroying"
    assert api.job(job)["jobstatus"] == 1
    assert api.items("listKubernetesClusters", projectid=project["id"]) == []
    assert api.items("listVirtualMachines", projectid=project["id"]) == []
    assert api.items("listNetworks", projectid=project["id"]) == []


@pytest.mark.parametrize(
    ("version", "offering", "params", "text"),
    [
        (
            "v1.15.12",
            "medium",
            {"controlnodes": 3},
            "HA support is available only for Kubernetes "
            "version 1.16.0 and above. Given version ID: {version} is 1.15.12",
        ),
        (
            "v1.27.3",
            "small",
            {},
            "Kubernetes cluster cannot be created with service offering ID: "
            "{offering}, Kubernetes cluster template(CoreOS) needs minimum 2 vCPUs and 2048 MB RAM",
        ),
        (
            "v1.28.4",
            "medium",
            {"size": 60},
            "Maximum cluster size can not exceed 50. Please contact your administrator",
        ),
        ("v1.28.4", "medium", {"size": 0}, "Invalid cluster size: 0"),
        (
            "v1.28.4",
            "medium",
            {"noderootdisksize": 7},
            "Provided node root disk size is lesser than default size of 8GB",
        ),
    ],
)
def test_create_refusals(
    api: CloudStackHttp,
    project: dict[str, Any],
    versions: dict[str, dict[str, Any]],
    offerings: dict[str, str],
    cluster_params: ClusterParams,
    version: str,
    offering: str,
    params: dict[str, object],
    text: str,
) -> None:
    chosen = versions[version]
    options = cluster_params(version, offering, **params)
    code, body = api.fail("createKubernetesCluster", **options)
    assert (code, body["errortext"]) == (
        431,
        text.format(version=chosen["id"], offering=offerings[offering]),
    )
    assert api.items("listKubernetesClusters", projectid=project["id"]) == []


def test_a_network_holds_one_cluster_and_a_version_below_the_offering_is_refused(
    api: CloudStackHttp, cluster_params: ClusterParams
) -> None:
    first = api.result("createKubernetesCluster", **cluster_params())
    options = cluster_params(networkid=first["networkid"])
    code, body = api.fail("createKubernetesCluster", **options)
    assert body["errortext"] == (
        f"Network ID: {first['networkid']} is already under use by another Kubernetes cluster"
    )
    options = cluster_params("v1.28.4", "small")
    code, body = api.fail("createKubernetesCluster", **options)
    assert code == 431 and "needs minimum 2 vCPUs" in body["errortext"]


def test_upgrade_only_forward_by_one_minor_and_scale_refusals(
    api: CloudStackHttp,
    project: dict[str, Any],
    versions: dict[str, dict[str, Any]],
    offerings: dict[str, str],
    cluster_params: ClusterParams,
) -> None:
    """The manager validates inside the job: a refusal fails it and the cluster stays Running."""
    cluster = api.result("createKubernetesCluster", **cluster_params())
    name = cluster["name"]

    def refused(command: str, **params: object) -> tuple[int, str]:
        job = api.run(command, id=cluster["id"], **params)
        assert job["jobstatus"] == 2, job
        listed = api.one("listKubernetesClusters", id=cluster["id"], projectid=project["id"])
        assert listed["state"] == "Running"
        return job["jobresultcode"], job["jobresult"]["errortext"]

    old, new = versions["v1.15.12"], versions["v1.28.4"]
    assert refused("upgradeKubernetesCluster", kubernetesversionid=old["id"]) == (
        431,
        "Kubernetes clusters can not be downgraded, current version: 1.27.3, upgrade version: "
        "1.15.12",
    )
    assert refused("upgradeKubernetesCluster", kubernetesversionid=cluster["kubernetesversionid"])[
        1
    ].startswith("Kubernetes clusters can not be upgraded, current version: 1.27.3")
    assert refused("scaleKubernetesCluster", serviceofferingid=offerings["small"]) == (
        431,
        f"Kubernetes cluster : {name} cannot be scaled with service offering : small, Kubernetes "
        "cluster template(CoreOS) needs minimum 2 vCPUs and 2048 MB RAM",
    )
    assert refused("scaleKubernetesCluster") == (
        431,
        f"Kubernetes cluster : {name} cannot be scaled, either a new service offering or a new "
        "cluster size must be passed",
    )
    api.result("scaleKubernetesCluster", id=cluster["id"], serviceofferingid=offerings["large"])
    assert refused("scaleKubernetesCluster", serviceofferingid=offerings["medium"]) == (
        530,
        "Kubernetes cluster cannot be scaled down for service offering. Service offering : medium "
        f"offers lesser resources as compared to service offering : large of Kubernetes cluster "
        f": {name}",
    )
    upgraded = api.result(
        "upgradeKubernetesCluster", id=cluster["id"], kubernetesversionid=new["id"]
    )
    assert upgraded["kubernetesversionname"] == "v1.28.4"
    api.done("stopKubernetesCluster", id=cluster["id"])
    job = api.run("upgradeKubernetesCluster", id=cluster["id"], kubernetesversionid=new["id"])
    assert job["jobresult"]["errortext"] == f"Kubernetes cluster : {name} is not in running state"


def test_a_second_cluster_of_the_same_name_is_made(
    cs: Any, project: dict[str, Any], cluster_params: ClusterParams
) -> None:
    """CKS refuses no twin: validateManagedKubernetesClusterCreateParameters checks the name
    only for being empty, and the kubernetes_cluster table has no unique key on it. Each
    cluster gets a network of its own (getKubernetesClusterNetworkIfMissing), both named
    "<name>-network", and lists by that name show both."""
    options = cluster_params()
    first = cs.createKubernetesCluster(**options, fetch_result=True)["kubernetescluster"]
    second = cs.createKubernetesCluster(**options, fetch_result=True)["kubernetescluster"]
    assert first["id"] != second["id"]
    assert first["networkid"] != second["networkid"]
    assert first["associatednetworkname"] == second["associatednetworkname"]
    listed = cs.listKubernetesClusters(name=options["name"], projectid=project["id"])
    assert sorted(c["id"] for c in listed["kubernetescluster"]) == sorted(
        [first["id"], second["id"]]
    )
    assert {c["state"] for c in listed["kubernetescluster"]} == {"Running"}


def test_deleting_a_cluster_returns_its_own_network_s_addresses_to_the_pool(
    api: CloudStackHttp,
    sandbox: RunningSandbox,
    project: dict[str, Any],
    cluster_params: ClusterParams,
) -> None:
    """KubernetesClusterDestroyWorker.destroyKubernetesClusterNetwork: the network the cluster
    made goes through NetworkOrchestrator.destroyNetwork, whose cleanupNetworkResources releases
    every address of it (the source NAT one too) to the zone's free pool."""
    cluster = api.result("createKubernetesCluster", **cluster_params())
    held = f"{cluster['zoneid']}/{cluster['ipaddress']}"
    assert held not in sandbox.api.state.public_pool
    api.done("deleteKubernetesCluster", id=cluster["id"])
    assert api.items("listPublicIpAddresses", projectid=project["id"]) == []
    assert held in sandbox.api.state.public_pool


def test_clusters_take_no_tags(api: CloudStackHttp, cluster_params: ClusterParams) -> None:
    cluster = api.result("createKubernetesCluster", **cluster_params())
    job = api.run(
        "createTags",
        resourcetype="KubernetesCluster",
        resourceids=cluster["id"],
        **{"tags[0].key": "stackgate.key", "tags[0].value": "kubernetes_cluster/x"},
    )
    assert job["jobresult"]["errortext"] == "Invalid resource type KubernetesCluster"


def test_without_versions_the_service_is_off_and_its_commands_answer_432(tmp_path: Path) -> None:
    """cloud.kubernetes.service.enabled=false: the plugin registers no commands."""
    running = start_without_cks(tmp_path)
    client = CloudStackHttp(running.url)
    try:
        response = client.call("listKubernetesSupportedVersions")
        assert response.status_code == 432  # under errorresponse, as ApiServer answers 432
        assert response.json()["errorresponse"]["errortext"].startswith(
            "The API [listKubernetesSupportedVersions] does not exist or is not available"
        )
    finally:
        client.close()
        running.stop()
