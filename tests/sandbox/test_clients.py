"""Clients we did not write, against the sandbox over HTTP: libcloud, ``cs`` and CloudMonkey."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from cs import CloudStack, CloudStackApiException
from libcloud.compute.base import NodeDriver
from libcloud.compute.providers import get_driver
from libcloud.compute.types import NodeState, Provider

from app.sandbox.server import RunningSandbox
from tests.sandbox.conftest import (
    API_KEY,
    SECRET_KEY,
    Catalog,
    CloudStackHttp,
    JavaSignedCloudStack,
    unique,
)

CMK_MISSING = "cmk not installed: the Go module proxy does not serve apache/cloudstack-cloudmonkey"


@pytest.fixture
def session() -> Iterator[requests.Session]:
    with requests.Session() as opened:
        yield opened


def _cs(sandbox: RunningSandbox, session: requests.Session, fixed: bool = True) -> Any:
    kind = JavaSignedCloudStack if fixed else CloudStack
    return kind(
        endpoint=sandbox.url, key=API_KEY, secret=SECRET_KEY, session=session, poll_interval=0.05
    )


@pytest.fixture
def driver(sandbox: RunningSandbox) -> Iterator[NodeDriver]:
    port = int(sandbox.url.split(":")[2].split("/")[0])
    cls = get_driver(Provider.CLOUDSTACK)
    built = cls(API_KEY, SECRET_KEY, host="127.0.0.1", port=port, path="/client/api", secure=False)
    connection: Any = built.connection  # a CloudStackConnection (a PollingConnection)
    connection.poll_interval = 0.05
    yield built
    if connection.connection is not None:  # libcloud's requests session
        connection.connection.session.close()


def test_libcloud_lists_the_catalog(driver: NodeDriver) -> None:
    assert sorted(location.name for location in driver.list_locations()) == [
        "zone-a",
        "zone-b",
        "zone-sg",
    ]
    sizes = {size.name: size for size in driver.list_sizes()}
    assert (sizes["medium"].ram, sizes["medium"].extra["cpu"]) == (4096, 2)
    images = {image.name for image in driver.list_images()}
    assert {"ubuntu-22.04", "debian-12", "rocky-9"} <= images


def test_libcloud_creates_lists_and_destroys_a_node(driver: NodeDriver) -> None:
    location = next(loc for loc in driver.list_locations() if loc.name == "zone-a")
    size = next(s for s in driver.list_sizes() if s.name == "small")
    image = next(i for i in driver.list_images(location=location) if i.name == "debian-12")
    name = unique("lc")
    node = driver.create_node(name=name, size=size, image=image, location=location)
    assert node.name == name
    assert node.state == NodeState.STOPPED  # libcloud always sends startvm=False
    assert node.private_ips and node.private_ips[0].startswith("10.1.1.")
    listed = {n.id: n for n in driver.list_nodes()}
    assert listed[node.id].extra["zone_name"] == "zone-a"
    assert driver.destroy_node(node) is True
    assert node.id not in {n.id for n in driver.list_nodes()}


def test_libcloud_lists_a_nodes_nics(driver: NodeDriver) -> None:
    """ex_list_nics calls listNics (ListNicsCmd), as cs_portforward does."""
    location = next(loc for loc in driver.list_locations() if loc.name == "zone-a")
    size = next(s for s in driver.list_sizes() if s.name == "small")
    image = next(i for i in driver.list_images(location=location) if i.name == "debian-12")
    node = driver.create_node(name=unique("lc"), size=size, image=image, location=location)
    nics: Any = driver.ex_list_nics(node)  # type: ignore[attr-defined]
    assert [(nic.ip_address, nic.is_default) for nic in nics] == [(node.private_ips[0], True)]
    assert driver.destroy_node(node) is True


def test_cs_sees_a_command_the_sandbox_does_not_serve_as_432(
    sandbox: RunningSandbox, session: requests.Session
) -> None:
    with pytest.raises(CloudStackApiException) as refused:
        _cs(sandbox, session).listBackups()
    assert refused.value.response.status_code == 432
    assert refused.value.error["errortext"].startswith(
        "The API [listBackups] does not exist or is not available for the account"
    )


def test_cs_reads_one_page_at_a_time_with_fetch_list(
    sandbox: RunningSandbox, session: requests.Session
) -> None:
    client = _cs(sandbox, session)
    zones = client.listZones(fetch_list=True, pagesize=1)
    assert sorted(zone["name"] for zone in zones) == ["zone-a", "zone-b", "zone-sg"]
    assert client.listZones(fetch_list=True, keyword="no~such") == []


def test_cs_waits_for_jobs_with_fetch_result(
    sandbox: RunningSandbox, session: requests.Session, catalog: Catalog, api: CloudStackHttp
) -> None:
    client = _cs(sandbox, session)
    project = api.result("createProject", name=unique("cs"), displaytext="cs client")
    result = client.deployVirtualMachine(
        zoneid=catalog.zone,
        serviceofferingid=catalog.small,
        templateid=catalog.template,
        projectid=project["id"],
        displayname="made by cs ~ 1",
        fetch_result=True,
    )
    vm = result["virtualmachine"]
    assert (vm["state"], vm["displayname"]) == ("Running", "made by cs ~ 1")
    with pytest.raises(CloudStackApiException) as failed:
        client.startVirtualMachine(id=vm["id"], fetch_result=True)
    assert failed.value.args[0] == "Job failure"
    assert failed.value.error["errorcode"] == 431


def test_cs_sees_errors_as_api_exceptions(
    sandbox: RunningSandbox, session: requests.Session
) -> None:
    client = _cs(sandbox, session)
    with pytest.raises(CloudStackApiException) as refused:
        client.listTemplates()
    assert refused.value.response.status_code == 431
    assert refused.value.error["errortext"] == (
        "Unable to execute API command listtemplates due to missing parameter templatefilter"
    )


def test_unpatched_cs_signs_a_tilde_unlike_java(
    sandbox: RunningSandbox, session: requests.Session
) -> None:
    """The sandbox checks signatures as ApiServer does, so cs's known ``~`` bug shows."""
    with pytest.raises(CloudStackApiException) as refused:
        _cs(sandbox, session, fixed=False).listZones(keyword="a~b")
    assert refused.value.response.status_code == 401
    assert _cs(sandbox, session, fixed=False).listZones(keyword="a b") == {}


@pytest.mark.skipif(shutil.which("cmk") is None, reason=CMK_MISSING)
def test_cloudmonkey_lists_zones(sandbox: RunningSandbox, tmp_path: Path) -> None:
    cmk = shutil.which("cmk")
    assert cmk is not None
    env = {"HOME": str(tmp_path), "PATH": os.environ.get("PATH", "")}
    command = [cmk, "-u", sandbox.url, "-k", API_KEY, "-s", SECRET_KEY, "-o", "json"]
    done = subprocess.run(
        [*command, "list", "zones"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    answer = json.loads(done.stdout)
    assert answer["count"] == 3
    assert sorted(zone["name"] for zone in answer["zone"]) == ["zone-a", "zone-b", "zone-sg"]
