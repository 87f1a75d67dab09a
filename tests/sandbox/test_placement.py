"""Where a VM runs (DeploymentPlanningManagerImpl and the affinity processors): each zone has
three hosts; host anti-affinity spreads a group over them and refuses a VM when they run out,
host affinity keeps a group on one host."""

from __future__ import annotations

from typing import Any

import pytest
from cs import CloudStackApiException

from tests.sandbox.conftest import Catalog, CloudStackHttp, deploy

HINT = (
    ", Please check the affinity groups provided, there may not be sufficient capacity to "
    "follow them"
)


def _group(cs: Any, project: dict[str, Any], name: str, kind: str) -> Any:
    made = cs.createAffinityGroup(name=name, type=kind, projectid=project["id"], fetch_result=True)
    return made["affinitygroup"]


def test_anti_affinity_spreads_a_group_and_refuses_a_vm_when_hosts_run_out(
    cs: Any, api: CloudStackHttp, catalog: Catalog, project: dict[str, Any]
) -> None:
    _group(cs, project, "db", "host anti-affinity")
    vms = [deploy(api, catalog, project, affinitygroupnames="db") for _ in range(3)]
    assert len({vm["hostid"] for vm in vms}) == 3
    job = api.run(
        "deployVirtualMachine",
        zoneid=catalog.zone,
        serviceofferingid=catalog.small,
        templateid=catalog.template,
        projectid=project["id"],
        name="db-4",
        affinitygroupnames="db",
    )
    assert (job["jobstatus"], job["jobresultcode"]) == (2, 533)
    text = job["jobresult"]["errortext"]
    assert text.startswith('Unable to create a deployment for VM instance {"id": ')
    assert text.endswith(HINT)
    (left,) = cs.listVirtualMachines(name="db-4", projectid=project["id"])["virtualmachine"]
    assert (left["state"], "hostid" in left) == ("Stopped", False)  # Event.OperationFailed
    cs.stopVirtualMachine(id=vms[0]["id"], fetch_result=True)  # a stopped VM holds no host
    started = cs.startVirtualMachine(id=left["id"], fetch_result=True)["virtualmachine"]
    assert started["hostid"] == vms[0]["hostid"]
    with pytest.raises(CloudStackApiException) as refused:
        cs.startVirtualMachine(id=vms[0]["id"], fetch_result=True)
    assert refused.value.error["errorcode"] == 533
    assert refused.value.error["errortext"].endswith(HINT)


def test_host_affinity_keeps_a_group_on_one_host(
    cs: Any, api: CloudStackHttp, catalog: Catalog, project: dict[str, Any]
) -> None:
    _group(cs, project, "pair", "host affinity")
    first, second = (deploy(api, catalog, project, affinitygroupnames="pair") for _ in range(2))
    assert first["hostid"] == second["hostid"]
    assert first["hostname"] == second["hostname"]
    plain = deploy(api, catalog, project)
    assert plain["hostid"]
