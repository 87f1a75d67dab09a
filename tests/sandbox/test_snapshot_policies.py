"""Recurring snapshot policies as SnapshotManagerImpl serves them: one per volume and interval,
the schedule parsed per interval, maxsnaps held to the interval's and the project's limits."""

from __future__ import annotations

from typing import Any

import pytest

from tests.sandbox.conftest import Catalog, CloudStackHttp, deploy, tag_params


@pytest.fixture
def root(api: CloudStackHttp, catalog: Catalog, project: dict[str, Any]) -> dict[str, Any]:
    vm = deploy(api, catalog, project)
    return api.one("listVolumes", virtualmachineid=vm["id"], projectid=project["id"])


def test_create_list_update_and_delete(api: CloudStackHttp, root: dict[str, Any]) -> None:
    policy = api.ok(
        "createSnapshotPolicy",
        volumeid=root["id"],
        intervaltype="daily",
        schedule="30:02",
        timezone="Europe/Berlin",
        maxsnaps=7,
        **tag_params([("stackgate.key", "volume/root")]),
    )["snapshotpolicy"]
    assert (policy["intervaltype"], policy["schedule"], policy["maxsnaps"]) == (1, "30:02", 7)
    assert policy["tags"] == [{"key": "stackgate.key", "value": "volume/root"}]
    again = api.ok(  # the same interval on the same volume is the same policy, its tags dropped
        "createSnapshotPolicy",
        volumeid=root["id"],
        intervaltype="DAILY",
        schedule="00:04",
        timezone="UTC",
        maxsnaps=3,
    )["snapshotpolicy"]
    assert (again["id"], again["schedule"], again["tags"]) == (policy["id"], "00:04", [])
    weekly = api.ok(
        "createSnapshotPolicy",
        volumeid=root["id"],
        intervaltype="WEEKLY",
        schedule="00:04:7",
        timezone="UTC",
        maxsnaps=2,
    )["snapshotpolicy"]
    listed = api.items("listSnapshotPolicies", volumeid=root["id"])
    assert sorted(p["intervaltype"] for p in listed) == [1, 2]
    updated = api.result("updateSnapshotPolicy", id=weekly["id"], fordisplay=False)
    assert updated["fordisplay"] is False
    api.done(
        "createTags",
        resourcetype="SnapshotPolicy",
        resourceids=weekly["id"],
        **tag_params([("team", "core")]),
    )
    tagged = api.one("listSnapshotPolicies", id=weekly["id"])
    assert tagged["tags"] == [{"key": "team", "value": "core"}]
    assert api.ok("deleteSnapshotPolicies", ids=f"{policy['id']},{weekly['id']}")["success"]
    assert api.items("listSnapshotPolicies", volumeid=root["id"]) == []


@pytest.mark.parametrize(
    ("params", "text"),
    [
        ({"schedule": "2:30:x"}, "Invalid schedule: 2:30:x for interval type: DAILY"),
        ({"schedule": "61:02"}, "Invalid schedule: 61:02 for interval type: DAILY"),
        ({"intervaltype": "YEARLY"}, "Unsupported interval type YEARLY"),
        ({"maxsnaps": 0}, "maxSnaps should be greater than 0"),
        ({"maxsnaps": 9}, "maxSnaps exceeds limit: 8 for interval type: DAILY"),
    ],
)
def test_refusals(
    api: CloudStackHttp, root: dict[str, Any], params: dict[str, object], text: str
) -> None:
    options: dict[str, object] = {
        "volumeid": root["id"],
        "intervaltype": "DAILY",
        "schedule": "30:02",
        "timezone": "UTC",
        "maxsnaps": 7,
    }
    options.update(params)
    code, body = api.fail("createSnapshotPolicy", **options)
    assert (code, body["errortext"]) == (431, text)


def test_maxsnaps_over_the_projects_snapshot_limit_is_refused(
    api: CloudStackHttp, project: dict[str, Any], root: dict[str, Any]
) -> None:
    api.ok("updateResourceLimit", projectid=project["id"], resourcetype=3, max=5)
    code, body = api.fail(
        "createSnapshotPolicy",
        volumeid=root["id"],
        intervaltype="HOURLY",
        schedule="15",
        timezone="UTC",
        maxsnaps=6,
    )
    assert code == 431 and body["errortext"] == (
        "Max number of snapshots shouldn't exceed the domain/project level snapshot limit"
    )


def test_tags_of_every_projects_policies_are_listed_with_projectid_minus_one(
    api: CloudStackHttp, root: dict[str, Any], project: dict[str, Any]
) -> None:
    """ListTagsCmd takes projectid=-1 for all projects, as other project-scoped lists do:
    the one call that finds the policies stackgate tagged across projects."""
    policy = api.ok(
        "createSnapshotPolicy",
        volumeid=root["id"],
        intervaltype="hourly",
        schedule="15",
        timezone="UTC",
        maxsnaps=2,
        **tag_params([("stackgate.key", "snapshot_policy/x")]),
    )["snapshotpolicy"]
    found = api.items("listTags", resourcetype="SnapshotPolicy", projectid=-1, listall=True)
    mine = [tag for tag in found if tag["resourceid"] == policy["id"]]
    assert [(t["key"], t["projectid"]) for t in mine] == [("stackgate.key", project["id"])]


def test_a_destroyed_volume_takes_its_policies_and_their_tags(
    api: CloudStackHttp, catalog: Catalog, project: dict[str, Any]
) -> None:
    """VolumeServiceImpl.destroyVolume calls deletePoliciesForVolume: a deleted data volume's
    policies and an expunged VM's root disk policies are gone, their tags with them."""
    vm = deploy(api, catalog, project)
    root = api.one("listVolumes", virtualmachineid=vm["id"], projectid=project["id"])
    data = api.result(
        "createVolume", name="data", zoneid=catalog.zone, diskofferingid=catalog.custom_disk,
        size=10, projectid=project["id"],
    )  # fmt: skip
    api.result("attachVolume", id=data["id"], virtualmachineid=vm["id"])
    for volume in (root, data):
        api.ok(
            "createSnapshotPolicy", volumeid=volume["id"], intervaltype="daily",
            schedule="30:02", timezone="UTC", maxsnaps=2,
            **tag_params([("stackgate.key", f"snapshot_policy/{volume['id']}")]),
        )  # fmt: skip
    api.result("detachVolume", id=data["id"])
    api.ok("deleteVolume", id=data["id"])
    api.result("destroyVirtualMachine", id=vm["id"], expunge=True)
    tags = api.items("listTags", resourcetype="SnapshotPolicy", projectid=project["id"])
    assert tags == []
