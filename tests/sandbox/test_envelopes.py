"""Response envelopes (ApiResponseSerializer), async jobs and error answers (ApiServer)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable
from typing import Any

import requests

from app.cloudstack.signing import sign
from tests.sandbox.conftest import Catalog, CloudStackHttp, deploy, ssh_public_key, unique

JSON_TYPE = "application/json; charset=UTF-8"
XML_TYPE = "text/xml; charset=UTF-8"


def test_a_list_is_count_then_items(api: CloudStackHttp) -> None:
    response = api.call("listZones")
    assert response.status_code == 200
    assert response.headers["content-type"] == JSON_TYPE
    body = response.json()
    assert list(body) == ["listzonesresponse"]
    assert list(body["listzonesresponse"]) == ["count", "zone"]
    assert body["listzonesresponse"]["count"] == 3
    assert [zone["name"] for zone in body["listzonesresponse"]["zone"]] == [
        "zone-a",
        "zone-b",
        "zone-sg",
    ]


def test_an_empty_list_is_an_empty_object(api: CloudStackHttp) -> None:
    response = api.call("listZones", name="no-such-zone")
    assert response.json() == {"listzonesresponse": {}}


def test_a_synchronous_object_sits_under_its_key(
    api: CloudStackHttp, project: dict[str, Any]
) -> None:
    response = api.call(
        "registerSSHKeyPair", name="k1", publickey=ssh_public_key(1), projectid=project["id"]
    )
    body = response.json()
    assert list(body) == ["registersshkeypairresponse"]
    assert list(body["registersshkeypairresponse"]) == ["keypair"]
    assert body["registersshkeypairresponse"]["keypair"]["name"] == "k1"


def test_synchronous_success_is_a_real_boolean(
    api: CloudStackHttp, project: dict[str, Any]
) -> None:
    api.ok("registerSSHKeyPair", name="k1", publickey=ssh_public_key(2), projectid=project["id"])
    answer = api.ok("deleteSSHKeyPair", name="k1", projectid=project["id"])
    assert answer == {"success": True}


def test_an_async_command_answers_with_its_job_id_only(
    api: CloudStackHttp, catalog: Catalog, project: dict[str, Any]
) -> None:
    vm = deploy(api, catalog, project)
    answer = api.ok("stopVirtualMachine", id=vm["id"])
    assert list(answer) == ["jobid"]
    job = api.job(answer["jobid"])
    assert job["jobid"] == answer["jobid"]
    assert job["jobstatus"] == 1


def test_an_async_create_command_answers_with_the_new_id_and_job_id(
    api: CloudStackHttp, catalog: Catalog, project: dict[str, Any]
) -> None:
    answer = api.ok(
        "deployVirtualMachine",
        zoneid=catalog.zone,
        serviceofferingid=catalog.small,
        templateid=catalog.template,
        projectid=project["id"],
    )
    assert list(answer) == ["id", "jobid"]
    job = api.job(answer["jobid"])
    assert job["jobresult"]["virtualmachine"]["id"] == answer["id"]
    assert job["jobinstancetype"] == "VirtualMachine"
    assert job["jobinstanceid"] == answer["id"]


def test_create_project_is_async_create_too(api: CloudStackHttp) -> None:
    answer = api.ok("createProject", name=unique("prj"), displaytext="x")
    assert list(answer) == ["id", "jobid"]
    project = api.job(answer["jobid"])["jobresult"]["project"]
    assert project["id"] == answer["id"]


def test_a_job_is_pending_then_succeeds(fresh_slow: CloudStackHttp) -> None:
    api = fresh_slow
    catalog = Catalog(api)
    project = api.one("listProjects", name="payments")
    answer = api.ok(
        "deployVirtualMachine",
        zoneid=catalog.zone,
        serviceofferingid=catalog.small,
        templateid=catalog.template,
        projectid=project["id"],
        name="slow-1",
    )
    pending = api.ok("queryAsyncJobResult", jobid=answer["jobid"])
    assert pending["jobstatus"] == 0
    assert pending["jobresultcode"] == 0
    assert "jobresult" not in pending and "completed" not in pending
    listed = api.one("listVirtualMachines", id=answer["id"], projectid=project["id"])
    assert (listed["jobid"], listed["jobstatus"]) == (answer["jobid"], 0)
    done = api.job(answer["jobid"])
    assert (done["jobstatus"], done["jobresultcode"], done["jobresulttype"]) == (1, 0, "object")
    assert done["jobresult"]["virtualmachine"]["state"] == "Running"
    assert done["cmd"] == "org.apache.cloudstack.api.command.user.vm.DeployVMCmd"
    assert "completed" in done
    listed = api.one("listVirtualMachines", id=answer["id"], projectid=project["id"])
    assert "jobid" not in listed and "jobstatus" not in listed


def test_a_failed_job_carries_the_error_in_its_result(
    api: CloudStackHttp, catalog: Catalog, project: dict[str, Any]
) -> None:
    vm = deploy(api, catalog, project)
    job = api.run("startVirtualMachine", id=vm["id"])
    assert job["jobstatus"] == 2
    assert job["jobresultcode"] == 431
    assert job["jobresult"] == {
        "errorcode": 431,
        "errortext": f"The virtual machine {vm['id']} ({vm['name']}) is already running",
    }


def test_the_http_status_is_the_errorcode(api: CloudStackHttp) -> None:
    response = api.call("listTemplates")
    assert response.status_code == 431
    assert response.headers["content-type"] == JSON_TYPE
    assert response.json() == {
        "listtemplatesresponse": {
            "uuidList": [],
            "errorcode": 431,
            "cserrorcode": 9999,
            "errortext": "Unable to execute API command listtemplates due to missing parameter "
            "templatefilter",
        }
    }
    assert (
        response.headers["X-Description"] == response.json()["listtemplatesresponse"]["errortext"]
    )


def test_an_unknown_uuid_is_431(api: CloudStackHttp) -> None:
    status, body = api.fail("stopVirtualMachine", id="no-such-vm")
    assert status == 431
    assert body["errortext"] == (
        "Unable to execute API command stopvirtualmachine due to invalid value. Invalid parameter "
        "id value=no-such-vm due to incorrect long value format, or entity does not exist or due "
        "to incorrect parameter annotation for the field in api cmd class."
    )


def test_expunging_a_live_vm_is_530(
    api: CloudStackHttp, catalog: Catalog, project: dict[str, Any]
) -> None:
    vm = deploy(api, catalog, project)
    status, body = api.fail("expungeVirtualMachine", id=vm["id"])
    assert (status, body["cserrorcode"]) == (530, 4250)
    assert body["errortext"] == "Please destroy vm with specified vmId before expunge"


def _xml(api: CloudStackHttp, command: str) -> requests.Response:
    """A request without ``response=json``."""
    query = api.signed(command)
    del query["response"], query["signature"]
    query["signature"] = sign(query, api.secret)
    return api.send(query)


def test_xml_is_the_default_format(api: CloudStackHttp) -> None:
    response = _xml(api, "listZones")
    assert response.status_code == 200
    assert response.headers["content-type"] == XML_TYPE
    assert response.text.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    root = ET.fromstring(response.content)
    assert root.tag == "listzonesresponse"
    assert root.findtext("count") == "3"
    assert [zone.findtext("name") for zone in root.findall("zone")] == [
        "zone-a",
        "zone-b",
        "zone-sg",
    ]


def test_xml_errors_keep_the_status(api: CloudStackHttp) -> None:
    response = _xml(api, "listTemplates")
    assert response.status_code == 431
    assert response.headers["content-type"] == XML_TYPE
    root = ET.fromstring(response.content)
    assert root.tag == "listtemplatesresponse"
    assert root.findtext("errorcode") == "431"
    assert root.findtext("cserrorcode") == "9999"


def test_unsupported_action_errors_answer_under_errorresponse(
    api: CloudStackHttp, knobs: Callable[..., None]
) -> None:
    failure = {"command": "listZones", "count": 1, "errorcode": 432, "errortext": "not here"}
    knobs(fail_next=[failure])
    response = api.call("listZones")
    assert response.status_code == 432
    assert response.json() == {
        "errorresponse": {
            "uuidList": [],
            "errorcode": 432,
            "cserrorcode": 9999,
            "errortext": "not here",
        }
    }
    assert api.call("listZones").status_code == 200
