"""A list call's id: one that never existed is refused (ParamProcessWorker), a removed one lists
nothing (translateUuidToInternalId looks the id up including removed rows)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.sandbox.conftest import Catalog, CloudStackHttp

UNKNOWN = (
    "Unable to execute API command {command} due to invalid value. Invalid parameter id "
    "value={value} due to incorrect long value format, or entity does not exist or due to "
    "incorrect parameter annotation for the field in api cmd class."
)


@pytest.mark.parametrize(
    "command",
    ["listNetworks", "listVirtualMachines", "listPublicIpAddresses", "listVolumes"],
)
def test_an_id_that_never_existed_is_431(
    api: CloudStackHttp, project: dict[str, Any], command: str
) -> None:
    value = str(uuid.uuid4())
    status, body = api.fail(command, id=value, projectid=project["id"])
    assert status == 431
    assert body["errortext"] == UNKNOWN.format(command=command.lower(), value=value)


def test_a_removed_id_lists_nothing(
    api: CloudStackHttp, catalog: Catalog, project: dict[str, Any]
) -> None:
    network = api.ok(
        "createNetwork",
        name="gone-net",
        displaytext="gone-net",
        networkofferingid=catalog.isolated,
        zoneid=catalog.zone,
        projectid=project["id"],
    )["network"]
    address = api.result("associateIpAddress", networkid=network["id"], projectid=project["id"])
    api.done("disassociateIpAddress", id=address["id"])
    api.done("deleteNetwork", id=network["id"])
    assert api.items("listNetworks", id=network["id"], projectid=project["id"]) == []
    assert api.items("listPublicIpAddresses", id=address["id"], projectid=project["id"]) == []
