"""listNics (ListNicsCmd) and listAutoScaleVmGroups (ListAutoScaleVmGroupsCmd), which
cs_portforward and the CloudStack Terraform provider call."""

from __future__ import annotations

import uuid
from typing import Any

from tests.sandbox.conftest import Catalog, CloudStackHttp, deploy


def test_list_nics_lists_a_vms_nics(
    api: CloudStackHttp, catalog: Catalog, project: dict[str, Any]
) -> None:
    vm = deploy(api, catalog, project)
    answer = api.ok("listNics", virtualmachineid=vm["id"])
    assert answer["count"] == 1
    (nic,) = answer["nic"]
    assert (nic["id"], nic["virtualmachineid"], nic["deviceid"]) == (
        vm["nic"][0]["id"],
        vm["id"],
        "0",
    )
    assert (nic["ipaddress"], nic["networkid"], nic["isdefault"]) == (
        vm["nic"][0]["ipaddress"],
        vm["nic"][0]["networkid"],
        True,
    )
    other = str(uuid.uuid4())
    assert api.items("listNics", virtualmachineid=vm["id"], nicid=nic["id"]) == [nic]
    status, _body = api.fail("listNics", virtualmachineid=vm["id"], networkid=other)
    assert status == 431


def test_list_nics_needs_a_vm(api: CloudStackHttp) -> None:
    status, body = api.fail("listNics")
    assert (status, body["errortext"]) == (
        431,
        "Unable to execute API command listnics due to missing parameter virtualmachineid",
    )


def test_list_auto_scale_vm_groups_is_empty(api: CloudStackHttp, project: dict[str, Any]) -> None:
    assert api.ok("listAutoScaleVmGroups", projectid=project["id"]) == {}
    assert api.ok("listAutoScaleVmGroups", listall="true") == {}
    status, _body = api.fail("listAutoScaleVmGroups", id=str(uuid.uuid4()))
    assert status == 431
