"""Data volumes (VolumeApiServiceImpl): create, attach, detach, resize, delete."""

from __future__ import annotations

from typing import Any

from tests.sandbox.conftest import Catalog, CloudStackHttp, deploy

GIB = 1024**3


def _create(
    api: CloudStackHttp, catalog: Catalog, project: dict[str, Any], **params: object
) -> dict[str, Any]:
    options: dict[str, object] = {
        "zoneid": catalog.zone,
        "diskofferingid": catalog.custom_disk,
        "size": 5,
        "projectid": project["id"],
        "name": "data",
    }
    options.update(params)
    return api.result("createVolume", **options)


def test_create_a_custom_size_volume(
    api: CloudStackHttp, catalog: Catalog, project: dict[str, Any]
) -> None:
    answer = api.ok(
        "createVolume",
        zoneid=catalog.zone,
        diskofferingid=catalog.custom_disk,
        size=5,
        projectid=project["id"],
        name="data-1",
    )
    assert list(answer) == ["id", "jobid"]
    job = api.job(answer["jobid"])
    assert (job["jobinstancetype"], job["jobinstanceid"]) == ("Volume", answer["id"])
    volume = job["jobresult"]["volume"]
    assert (volume["id"], volume["name"], volume["type"]) == (answer["id"], "data-1", "DATADISK")
    assert (volume["size"], volume["state"]) == (5 * GIB, "Allocated")
    assert "virtualmachineid" not in volume


def test_a_fixed_size_offering_gives_its_size(
    api: CloudStackHttp, catalog: Catalog, project: dict[str, Any]
) -> None:
    volume = _create(api, catalog, project, diskofferingid=catalog.fixed_disk, size="")
    assert volume["size"] == 50 * GIB


def test_a_custom_offering_needs_a_size(
    api: CloudStackHttp, catalog: Catalog, project: dict[str, Any]
) -> None:
    status, body = api.fail(
        "createVolume",
        zoneid=catalog.zone,
        diskofferingid=catalog.custom_disk,
        projectid=project["id"],
    )
    assert (status, body["cserrorcode"]) == (431, 4350)
    assert body["errortext"] == "This disk offering requires a custom size specified"


def test_attach_and_detach(api: CloudStackHttp, catalog: Catalog, project: dict[str, Any]) -> None:
    vm = deploy(api, catalog, project)
    volume = _create(api, catalog, project)
    attached = api.result("attachVolume", id=volume["id"], virtualmachineid=vm["id"])
    assert (attached["virtualmachineid"], attached["vmname"], attached["deviceid"]) == (
        vm["id"],
        vm["name"],
        1,
    )
    assert attached["state"] == "Ready"
    listed = api.items("listVolumes", virtualmachineid=vm["id"], projectid=project["id"])
    assert sorted(v["type"] for v in listed) == ["DATADISK", "ROOT"]
    again = api.run("attachVolume", id=volume["id"], virtualmachineid=vm["id"])
    assert again["jobresult"] == {
        "errorcode": 431,
        "errortext": "Please specify a volume that is not attached to any VM.",
    }
    detached = api.result("detachVolume", id=volume["id"])
    assert "virtualmachineid" not in detached and "deviceid" not in detached
    twice = api.run("detachVolume", id=volume["id"])
    assert twice["jobresult"] == {
        "errorcode": 431,
        "errortext": "The specified volume is not attached to a VM.",
    }


def test_an_attached_volume_cannot_be_deleted(
    api: CloudStackHttp, catalog: Catalog, project: dict[str, Any]
) -> None:
    vm = deploy(api, catalog, project)
    volume = _create(api, catalog, project, virtualmachineid=vm["id"])
    assert volume["virtualmachineid"] == vm["id"]
    status, body = api.fail("deleteVolume", id=volume["id"])
    assert (status, body["cserrorcode"]) == (431, 4350)
    assert body["errortext"] == "Please specify a volume that is not attached to any VM."
    api.result("detachVolume", id=volume["id"])
    assert api.ok("deleteVolume", id=volume["id"]) == {"success": True}
    assert api.items("listVolumes", id=volume["id"], projectid=project["id"]) == []


def test_resize(api: CloudStackHttp, catalog: Catalog, project: dict[str, Any]) -> None:
    volume = _create(api, catalog, project)
    answer = api.ok("resizeVolume", id=volume["id"], size=8)
    assert list(answer) == ["jobid"]
    resized = api.job(answer["jobid"])["jobresult"]["volume"]
    assert resized["size"] == 8 * GIB
    assert api.one("listProjects", id=project["id"])["primarystoragetotal"] == 8


def test_shrinking_needs_shrinkok(
    api: CloudStackHttp, catalog: Catalog, project: dict[str, Any]
) -> None:
    volume = _create(api, catalog, project)
    job = api.run("resizeVolume", id=volume["id"], size=2)
    assert (job["jobstatus"], job["jobresultcode"]) == (2, 432)
    assert job["jobresult"] == {
        "errorcode": 432,
        "errortext": f"Going from existing size of {5 * GIB} to size of {2 * GIB} would shrink "
        "the volume.Need to sign off by supplying the shrinkok parameter with value of true.",
    }
    assert api.result("resizeVolume", id=volume["id"], size=2, shrinkok="true")["size"] == 2 * GIB


def test_a_running_vms_root_disk_cannot_be_resized(
    api: CloudStackHttp, catalog: Catalog, project: dict[str, Any]
) -> None:
    vm = deploy(api, catalog, project)
    root = api.one("listVolumes", virtualmachineid=vm["id"], type="ROOT", projectid=project["id"])
    job = api.run("resizeVolume", id=root["id"], size=20)
    assert job["jobresultcode"] == 432
    api.result("stopVirtualMachine", id=vm["id"])
    assert api.result("resizeVolume", id=root["id"], size=20)["size"] == 20 * GIB
