"""Affinity groups through ``cs``: types, create/list/delete, deploy with groups, and a VM's
groups changed only while it is stopped."""

from __future__ import annotations

from typing import Any

import pytest
from cs import CloudStackApiException

from tests.sandbox.conftest import Catalog, CloudStackHttp, deploy


def _error(call: Any, **params: object) -> tuple[int, str]:
    with pytest.raises(CloudStackApiException) as refused:
        call(**params)
    return refused.value.error["errorcode"], refused.value.error["errortext"]


def _group(cs: Any, project: dict[str, Any], name: str, kind: str = "host anti-affinity") -> Any:
    made = cs.createAffinityGroup(name=name, type=kind, projectid=project["id"], fetch_result=True)
    return made["affinitygroup"]


def test_the_cloud_lists_its_affinity_group_types(cs: Any) -> None:
    types = cs.listAffinityGroupTypes()["affinityGroupType"]
    assert [t["type"] for t in types] == ["host anti-affinity", "host affinity"]


def test_a_group_is_created_listed_and_its_name_used_once(cs: Any, project: dict[str, Any]) -> None:
    group = _group(cs, project, "db")
    assert (group["name"], group["type"], group["projectid"]) == (
        "db",
        "host anti-affinity",
        project["id"],
    )
    (listed,) = cs.listAffinityGroups(projectid=project["id"])["affinitygroup"]
    assert listed["id"] == group["id"]
    code, text = _error(
        cs.createAffinityGroup, name="db", type="host affinity", projectid=project["id"]
    )
    assert (code, text) == (
        431,
        "Unable to create affinity group, a group with name db already exists.",
    )
    code, text = _error(cs.createAffinityGroup, name="x", type="rack", projectid=project["id"])
    assert code == 431
    assert text.startswith("Unable to create affinity group, invalid affinity group type: rack.")


def test_deploy_names_groups_and_delete_takes_the_vm_out(
    cs: Any, api: CloudStackHttp, catalog: Catalog, project: dict[str, Any]
) -> None:
    group = _group(cs, project, "db")
    vm = deploy(api, catalog, project, affinitygroupnames="db")
    assert [g["name"] for g in vm["affinitygroup"]] == ["db"]
    (listed,) = cs.listAffinityGroups(projectid=project["id"], virtualmachineid=vm["id"])[
        "affinitygroup"
    ]
    assert listed["virtualmachineIds"] == [vm["id"]]
    cs.deleteAffinityGroup(id=group["id"], fetch_result=True)
    (shown,) = cs.listVirtualMachines(id=vm["id"], projectid=project["id"])["virtualmachine"]
    assert shown["affinitygroup"] == []


def test_a_running_vms_groups_change_only_once_it_is_stopped(
    cs: Any, api: CloudStackHttp, catalog: Catalog, project: dict[str, Any]
) -> None:
    group = _group(cs, project, "web")
    vm = deploy(api, catalog, project)
    with pytest.raises(CloudStackApiException) as refused:
        cs.updateVMAffinityGroup(id=vm["id"], affinitygroupids=group["id"], fetch_result=True)
    assert refused.value.error["errorcode"] == 431
    assert refused.value.error["errortext"].startswith(
        "Unable update affinity groups of the virtual machine VM instance"
    )
    assert refused.value.error["errortext"].endswith(
        " in state Running; make sure the virtual machine is stopped and not in an error state "
        "before updating."
    )
    cs.stopVirtualMachine(id=vm["id"], fetch_result=True)
    updated = cs.updateVMAffinityGroup(
        id=vm["id"], affinitygroupids=group["id"], fetch_result=True
    )["virtualmachine"]
    assert [g["id"] for g in updated["affinitygroup"]] == [group["id"]]


def test_an_unknown_group_name_is_refused_at_deploy(
    api: CloudStackHttp, catalog: Catalog, project: dict[str, Any]
) -> None:
    status, body = api.fail(
        "deployVirtualMachine",
        zoneid=catalog.zone,
        serviceofferingid=catalog.small,
        templateid=catalog.template,
        projectid=project["id"],
        affinitygroupnames="nope",
    )
    assert (status, body["errortext"]) == (431, "Unable to find affinity group nope")
