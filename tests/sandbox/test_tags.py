"""Resource tags (TaggedResourceManagerImpl) and tag filters on lists (QueryManagerImpl)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.sandbox.conftest import Catalog, CloudStackHttp, deploy, tag_params


@pytest.fixture
def vms(api: CloudStackHttp, catalog: Catalog, project: dict[str, Any]) -> list[dict[str, Any]]:
    """Three VMs of one project: tagged env=prod, tier=web, and untagged."""
    machines = [deploy(api, catalog, project) for _ in range(3)]
    api.done(
        "createTags",
        resourcetype="UserVm",
        resourceids=machines[0]["id"],
        **tag_params([("env", "prod")]),
    )
    api.done(
        "createTags",
        resourcetype="userVM",
        resourceids=machines[1]["id"],
        **tag_params([("tier", "web")]),
    )
    return machines


def _names(
    api: CloudStackHttp, project: dict[str, Any], pairs: list[tuple[str, str | None]]
) -> list[str]:
    listed = api.items("listVirtualMachines", projectid=project["id"], **tag_params(pairs))
    return sorted(vm["name"] for vm in listed)


def test_create_tags_is_an_async_success(api: CloudStackHttp, vms: list[dict[str, Any]]) -> None:
    answer = api.ok(
        "createTags", resourcetype="UserVm", resourceids=vms[2]["id"], **tag_params([("a", "1")])
    )
    assert list(answer) == ["jobid"]
    job = api.job(answer["jobid"])
    assert (job["jobstatus"], job["jobresultcode"], job["jobresult"]) == (1, 0, {"success": True})
    assert "jobinstancetype" not in job


def test_a_tag_filter_finds_the_tagged_vm(
    api: CloudStackHttp, project: dict[str, Any], vms: list[dict[str, Any]]
) -> None:
    assert _names(api, project, [("env", "prod")]) == [vms[0]["name"]]
    assert _names(api, project, [("env", "PROD")]) == [vms[0]["name"]]  # MySQL collation
    assert _names(api, project, [("env", "test")]) == []


def test_several_pairs_match_any_of_them(
    api: CloudStackHttp, project: dict[str, Any], vms: list[dict[str, Any]]
) -> None:
    assert _names(api, project, [("env", "prod"), ("tier", "web")]) == sorted(
        [vms[0]["name"], vms[1]["name"]]
    )


def test_a_filter_pair_needs_a_value(api: CloudStackHttp, project: dict[str, Any]) -> None:
    status, body = api.fail(
        "listVirtualMachines", projectid=project["id"], **tag_params([("env", None)])
    )
    assert (status, body["cserrorcode"]) == (431, 4350)
    assert body["errortext"] == "No value is passed in for key env"


def test_vm_tags_are_whole_tag_objects(
    api: CloudStackHttp, project: dict[str, Any], vms: list[dict[str, Any]]
) -> None:
    vm = api.one("listVirtualMachines", id=vms[0]["id"], projectid=project["id"])
    assert vm["tags"] == [
        {
            "key": "env",
            "value": "prod",
            "resourcetype": "UserVm",
            "resourceid": vms[0]["id"],
            "account": project["projectaccountname"],
            "domainid": vm["domainid"],
            "domain": "ROOT",
            "projectid": project["id"],
            "project": project["name"],
        }
    ]


def test_network_tags_are_key_and_value_only(
    api: CloudStackHttp, project: dict[str, Any], vms: list[dict[str, Any]]
) -> None:
    network = vms[0]["nic"][0]["networkid"]
    api.done(
        "createTags", resourcetype="Network", resourceids=network, **tag_params([("zone", "dmz")])
    )
    listed = api.one("listNetworks", projectid=project["id"], **tag_params([("zone", "dmz")]))
    assert listed["id"] == network
    assert listed["tags"] == [{"key": "zone", "value": "dmz"}]


def test_a_duplicate_key_fails_the_job_with_530(
    api: CloudStackHttp, vms: list[dict[str, Any]]
) -> None:
    job = api.run(
        "createTags",
        resourcetype="UserVm",
        resourceids=vms[0]["id"],
        **tag_params([("ENV", "other")]),
    )
    assert (job["jobstatus"], job["jobresultcode"]) == (2, 530)
    assert job["jobresult"] == {
        "errorcode": 530,
        "errortext": f"tag ENV already on UserVm with id {vms[0]['id']}",
    }


def test_list_tags(api: CloudStackHttp, project: dict[str, Any], vms: list[dict[str, Any]]) -> None:
    tag = api.one("listTags", resourceid=vms[1]["id"], projectid=project["id"])
    assert (tag["key"], tag["value"], tag["resourcetype"]) == ("tier", "web", "UserVm")
    assert tag["resourceid"] == vms[1]["id"]


def test_delete_tags_by_key(
    api: CloudStackHttp, project: dict[str, Any], vms: list[dict[str, Any]]
) -> None:
    job = api.run(
        "deleteTags", resourcetype="UserVm", resourceids=vms[0]["id"], **{"tags[0].key": "env"}
    )
    assert (job["jobstatus"], job["jobresult"]) == (1, {"success": True})
    assert _names(api, project, [("env", "prod")]) == []
    again = api.run(
        "deleteTags", resourcetype="UserVm", resourceids=vms[0]["id"], **{"tags[0].key": "env"}
    )
    assert (again["jobstatus"], again["jobresult"]) == (
        2,
        {"errorcode": 530, "errortext": "Failed to delete tags"},
    )


def test_unknown_and_untaggable_types_fail(api: CloudStackHttp, vms: list[dict[str, Any]]) -> None:
    unknown = api.run(
        "createTags", resourcetype="Spaceship", resourceids=vms[0]["id"], **tag_params([("a", "b")])
    )
    assert unknown["jobresult"] == {
        "errorcode": 431,
        "errortext": "Invalid resource type Spaceship",
    }
    zone = api.run(
        "createTags", resourcetype="zone", resourceids=vms[0]["zoneid"], **tag_params([("a", "b")])
    )
    assert zone["jobresult"] == {
        "errorcode": 431,
        "errortext": "The resource type Zone doesn't support resource tags",
    }
