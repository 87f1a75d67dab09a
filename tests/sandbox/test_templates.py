"""Templates a project registers from a URL (TemplateManagerImpl): listed as its own with
templatefilter=self, downloaded over the next list calls, updated and deleted; OS types."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.sandbox.conftest import Catalog, CloudStackHttp, unique

URL = "https://images.example.org/golden-22.04.qcow2"


@pytest.fixture(scope="module")
def os_types(api: CloudStackHttp) -> dict[str, str]:
    return {o["description"]: o["id"] for o in api.items("listOsTypes")}


def _register(
    catalog: Catalog, project: dict[str, Any], os_type: str, **params: object
) -> dict[str, Any]:
    options: dict[str, object] = {
        "name": unique("golden"),
        "displaytext": "golden image",
        "url": URL,
        "format": "QCOW2",
        "hypervisor": "KVM",
        "ostypeid": os_type,
        "zoneids": catalog.zone,
        "checksum": "{SHA-256}" + "ab" * 32,
        "projectid": project["id"],
    }
    options.update(params)
    return options


def test_os_types_are_those_of_the_seeded_templates(os_types: dict[str, str]) -> None:
    assert {"Ubuntu 22.04 LTS", "Debian GNU/Linux 12 (64-bit)", "Rocky Linux 9"} <= set(os_types)


def test_a_registered_template_downloads_then_serves_deploys(
    api: CloudStackHttp, catalog: Catalog, project: dict[str, Any], os_types: dict[str, str]
) -> None:
    options = _register(catalog, project, os_types["Ubuntu 22.04 LTS"])
    (template,) = api.ok("registerTemplate", **options)["template"]
    assert (template["isready"], template["status"]) == (False, "0% Downloaded")
    assert template["project"] == project["name"] and template["url"] == URL
    mine = {"templatefilter": "self", "projectid": project["id"]}
    statuses = [api.one("listTemplates", **mine)["status"] for _ in range(3)]
    assert statuses == ["45% Downloaded", "90% Downloaded", "Download Complete"]
    assert api.one("listTemplates", **mine)["isready"] is True
    assert template["id"] not in {
        t["id"] for t in api.items("listTemplates", templatefilter="self")
    }
    updated = api.ok("updateTemplate", id=template["id"], displaytext="golden 2")["template"]
    assert updated["displaytext"] == "golden 2"
    vm = api.result(
        "deployVirtualMachine",
        zoneid=catalog.zone,
        serviceofferingid=catalog.small,
        templateid=template["id"],
        projectid=project["id"],
        name=unique("vm"),
    )
    code, body = api.fail("deleteTemplate", id=template["id"])
    assert code == 431 and body["errortext"].startswith(
        f"Unable to delete template with id: {template['id']} because VM instances:"
    )
    api.done("destroyVirtualMachine", id=vm["id"], expunge=True)
    api.done("deleteTemplate", id=template["id"])
    assert api.items("listTemplates", **mine) == []


@pytest.mark.parametrize(
    ("params", "text"),
    [
        (
            {"url": "ftp://images.example.org/x.qcow2"},
            "Unsupported scheme for url: ftp://images.example.org/x.qcow2",
        ),
        (
            {"format": "qcow3"},
            "Image format: qcow3 is incorrect. Supported formats are QCOW2, "
            "RAW, VHD, VHDX, ISO, OVA, VMDK, BAREMETAL, TAR, ZIP, DIR",
        ),
    ],
)
def test_refusals(
    api: CloudStackHttp,
    catalog: Catalog,
    project: dict[str, Any],
    os_types: dict[str, str],
    params: dict[str, object],
    text: str,
) -> None:
    options = _register(catalog, project, os_types["Rocky Linux 9"], **params)
    code, body = api.fail("registerTemplate", **options)
    assert (code, body["errortext"]) == (431, text)


def test_every_projects_own_templates_are_listed_with_projectid_minus_one(
    api: CloudStackHttp, catalog: Catalog, project: dict[str, Any], os_types: dict[str, str]
) -> None:
    options = _register(catalog, project, os_types["Rocky Linux 9"])
    (template,) = api.ok("registerTemplate", **options)["template"]
    swept = api.items("listTemplates", templatefilter="self", projectid=-1, listall=True)
    assert [t["project"] for t in swept if t["id"] == template["id"]] == [project["name"]]
    assert all(t.get("projectid") for t in swept)  # the cloud's own templates are not "self"


def test_templates_count_against_the_projects_limits(
    api: CloudStackHttp, catalog: Catalog, project: dict[str, Any], os_types: dict[str, str]
) -> None:
    """TemplateAdapterBase.prepare checks the template limit; HypervisorTemplateAdapter counts
    the template once, and its downloaded size against secondary storage in each zone."""
    options = _register(catalog, project, os_types["Rocky Linux 9"])
    api.ok("registerTemplate", **options)
    view = api.one("listProjects", id=project["id"])
    assert (view["templatetotal"], view["secondarystoragetotal"]) == (1, 0)
    mine = {"templatefilter": "self", "projectid": project["id"]}
    while not api.one("listTemplates", **mine)["isready"]:
        pass
    view = api.one("listProjects", id=project["id"])
    assert view["secondarystoragetotal"] == template_gib(api, project)
    api.ok("updateResourceLimit", resourcetype=4, max=1, projectid=project["id"])
    code, body = api.fail("registerTemplate", **{**options, "name": unique("second")})
    assert code == 535 and body["errortext"].startswith(
        "Maximum amount of resources of Type = 'template', tag = 'null' for Project Name = "
    )


def template_gib(api: CloudStackHttp, project: dict[str, Any]) -> int:
    found = api.one("listTemplates", templatefilter="self", projectid=project["id"])
    return int(found["size"]) // 1024**3


NOT_FOUND = "Failed to download template: HTTP Server returned 404 (expected 200 OK)"


def test_a_failed_download_shows_its_error_text_in_the_status(
    api: CloudStackHttp,
    catalog: Catalog,
    project: dict[str, Any],
    os_types: dict[str, str],
    knobs: Callable[..., None],
) -> None:
    """A download that fails after registration (registerTemplate's failure injected "in its
    job"): TemplateJoinDaoImpl writes the download's error string as the status, not ready."""
    failure = {"command": "registerTemplate", "count": 1, "errorcode": 530}
    failure.update(errortext=NOT_FOUND, in_job=True)
    knobs(fail_next=[failure])
    options = _register(catalog, project, os_types["Rocky Linux 9"])
    (template,) = api.ok("registerTemplate", **options)["template"]
    assert template["status"] == "0% Downloaded"
    mine = {"templatefilter": "self", "projectid": project["id"]}
    seen = [api.one("listTemplates", **mine) for _ in range(4)]
    assert [(t["status"], t["isready"]) for t in seen] == [(NOT_FOUND, False)] * 4
