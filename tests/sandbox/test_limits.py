"""Project limits and counts (ResourceLimitManagerImpl, AccountJoinDaoImpl.setResourceLimits)."""

from __future__ import annotations

from typing import Any

from tests.sandbox.conftest import Catalog, CloudStackHttp, deploy

GIB = 1024**3
PREFIXES = (
    "vm",
    "ip",
    "volume",
    "snapshot",
    "template",
    "network",
    "vpc",
    "cpu",
    "memory",
    "primarystorage",
    "secondarystorage",
)


def _limit(api: CloudStackHttp, project: dict[str, Any], kind: int, maximum: int) -> Any:
    return api.ok("updateResourceLimit", resourcetype=kind, max=maximum, projectid=project["id"])


def _view(api: CloudStackHttp, project: dict[str, Any]) -> dict[str, Any]:
    return api.one("listProjects", id=project["id"])


def test_update_resource_limit_is_synchronous(api: CloudStackHttp, project: dict[str, Any]) -> None:
    answer = _limit(api, project, 0, 3)
    assert answer == {
        "resourcelimit": {
            "projectid": project["id"],
            "project": project["name"],
            "domainid": project["domainid"],
            "domain": "ROOT",
            "domainpath": "ROOT",
            "resourcetype": "0",
            "resourcetypename": "user_vm",
            "max": 3,
        }
    }


def test_deploying_past_the_vm_limit_is_535(
    api: CloudStackHttp, catalog: Catalog, project: dict[str, Any]
) -> None:
    _limit(api, project, 0, 1)
    deploy(api, catalog, project)
    status, body = api.fail(
        "deployVirtualMachine",
        zoneid=catalog.zone,
        serviceofferingid=catalog.small,
        templateid=catalog.template,
        projectid=project["id"],
    )
    assert (status, body["errorcode"], body["cserrorcode"]) == (535, 535, 9999)
    assert body["errortext"] == (
        "Maximum amount of resources of Type = 'user_vm', tag = 'null' for Project Name = "
        f"{project['name']} in Domain Id = 1 is exceeded: Account Resource Limit = 1, Current "
        "Account Resource Amount = 1, Current Account Resource Reservation = 0, Requested "
        "Resource Amount = 1."
    )
    assert _view(api, project)["vmtotal"] == 1


def test_cpu_is_checked_after_the_vm_count(
    api: CloudStackHttp, catalog: Catalog, project: dict[str, Any]
) -> None:
    _limit(api, project, 8, 1)
    status, body = api.fail(
        "deployVirtualMachine",
        zoneid=catalog.zone,
        serviceofferingid=catalog.medium,
        templateid=catalog.template,
        projectid=project["id"],
    )
    assert status == 535
    assert body["errortext"].startswith("Maximum amount of resources of Type = 'cpu', tag = 'null'")
    assert "Account Resource Limit = 1, Current Account Resource Amount = 0," in body["errortext"]
    assert body["errortext"].endswith("Requested Resource Amount = 2.")


def test_storage_amounts_are_shown_as_bytes_and_readable_sizes(
    api: CloudStackHttp, catalog: Catalog, project: dict[str, Any]
) -> None:
    _limit(api, project, 10, 15)
    deploy(api, catalog, project)  # a 10 GiB root disk
    status, body = api.fail(
        "createVolume",
        zoneid=catalog.zone,
        diskofferingid=catalog.custom_disk,
        size=6,
        projectid=project["id"],
    )
    assert (status, body["cserrorcode"]) == (535, 4370)
    assert body["errortext"] == (
        "Maximum amount of resources of Type = 'primary_storage', tag = 'null' for Project Name = "
        f"{project['name']} in Domain Id = 1 is exceeded: Account Resource Limit = "
        "16106127360 (15.00 GB), Current Account Resource Amount = 10737418240 (10.00 GB), "
        "Current Account Resource Reservation = 0 (0 bytes), Requested Resource Amount = "
        "6442450944 (6.00 GB)."
    )


def test_list_projects_limits_are_strings_and_totals_numbers(
    api: CloudStackHttp, project: dict[str, Any]
) -> None:
    _limit(api, project, 7, -1)
    view = _view(api, project)
    for prefix in PREFIXES:
        assert isinstance(view[f"{prefix}limit"], str), prefix
        assert isinstance(view[f"{prefix}available"], str), prefix
        assert isinstance(view[f"{prefix}total"], int | float), prefix
    assert (view["vpclimit"], view["vpcavailable"]) == ("Unlimited", "Unlimited")
    assert (view["vmlimit"], view["vmtotal"], view["vmavailable"]) == ("20", 0, "20")
    assert (view["memorylimit"], view["memoryavailable"]) == ("40960", "40960")
    assert (view["primarystoragelimit"], view["primarystoragetotal"]) == ("200", 0)
    assert view["secondarystoragetotal"] == 0.0


def test_totals_follow_what_the_project_creates(
    api: CloudStackHttp, catalog: Catalog, project: dict[str, Any]
) -> None:
    vm = deploy(api, catalog, project)
    api.result(
        "createVolume",
        zoneid=catalog.zone,
        diskofferingid=catalog.custom_disk,
        size=5,
        projectid=project["id"],
        name="data-1",
    )
    view = _view(api, project)
    expected = {
        "vmtotal": 1,
        "vmavailable": "19",
        "vmrunning": 1,
        "cputotal": 1,
        "cpuavailable": "39",
        "memorytotal": 2048,
        "memoryavailable": str(40960 - 2048),
        "volumetotal": 2,  # the root disk counts
        "volumeavailable": "18",
        "primarystoragetotal": 15,  # GiB: 10 root + 5 data
        "primarystorageavailable": "185",
        "networktotal": 1,  # the network the deploy created
        "iptotal": 1,  # its source NAT address
    }
    assert {key: view[key] for key in expected} == expected
    api.run("destroyVirtualMachine", id=vm["id"], expunge="true")
    after = _view(api, project)
    assert (after["vmtotal"], after["cputotal"], after["memorytotal"]) == (0, 0, 0)
    assert (after["volumetotal"], after["primarystoragetotal"]) == (1, 5)


def test_list_resource_limits(api: CloudStackHttp, project: dict[str, Any]) -> None:
    _limit(api, project, 1, -1)
    answer = api.ok("listResourceLimits", projectid=project["id"])
    limits = answer["resourcelimit"]
    assert answer["count"] == len(limits)
    by_type = {item["resourcetype"]: item for item in limits}
    assert all(isinstance(item["resourcetype"], str) for item in limits)
    assert by_type["0"]["max"] == 20 and by_type["0"]["resourcetypename"] == "user_vm"
    assert by_type["1"]["max"] == -1
    assert by_type["10"]["max"] == 200  # GiB
    one = api.one("listResourceLimits", projectid=project["id"], resourcetype=9)
    assert (one["resourcetype"], one["resourcetypename"], one["max"]) == ("9", "memory", 40960)


def test_a_negative_limit_below_minus_one_is_refused(
    api: CloudStackHttp, project: dict[str, Any]
) -> None:
    status, body = api.fail("updateResourceLimit", resourcetype=0, max=-2, projectid=project["id"])
    assert (status, body["cserrorcode"]) == (431, 4350)


def test_list_resource_limits_counts_the_page(api: CloudStackHttp, project: dict[str, Any]) -> None:
    """ListResourceLimitsCmd uses setResponses(list): its count is the page's length."""
    answer = api.ok("listResourceLimits", projectid=project["id"], page=1, pagesize=4)
    assert answer["count"] == len(answer["resourcelimit"]) == 4
