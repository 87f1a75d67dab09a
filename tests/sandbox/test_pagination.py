"""Pagination (BaseListCmd): the refusals, ``count`` as the total, and paging through >500."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from app.sandbox.server import RunningSandbox
from tests.sandbox.conftest import CloudStackHttp, ssh_public_key, start

KEYS = 600


@pytest.fixture(scope="module")
def many() -> Iterator[tuple[CloudStackHttp, str]]:
    """A sandbox whose project ``payments`` holds 600 SSH key pairs (key-0000 … key-0599)."""
    running: RunningSandbox = start()
    api = CloudStackHttp(running.url)
    project = api.one("listProjects", name="payments")["id"]
    for i in range(KEYS):
        api.ok(
            "registerSSHKeyPair", name=f"key-{i:04}", publickey=ssh_public_key(i), projectid=project
        )
    yield api, project
    api.close()
    running.stop()


def _refusal(api: CloudStackHttp, **params: object) -> tuple[int, int, str]:
    status, body = api.fail("listZones", **params)
    return status, body["cserrorcode"], body["errortext"]


def test_pagesize_needs_page(api: CloudStackHttp) -> None:
    assert _refusal(api, pagesize=10) == (
        431,
        9999,
        '"page" parameter is required when "pagesize" is specified',
    )


def test_page_needs_pagesize(api: CloudStackHttp) -> None:
    assert _refusal(api, page=1) == (
        431,
        9999,
        '"pagesize" parameter is required when "page" is specified',
    )


def test_pagesize_above_the_maximum(api: CloudStackHttp) -> None:
    assert _refusal(api, page=1, pagesize=501) == (
        431,
        4350,
        "Page size can't exceed max allowed page size value: 500",
    )


def test_the_page_check_comes_before_the_size_check(api: CloudStackHttp) -> None:
    """validateSpecificParameters runs at dispatch; getPageSize only when the command runs."""
    assert _refusal(api, pagesize=501)[2] == (
        '"page" parameter is required when "pagesize" is specified'
    )


def test_unlimited_pagesize_refuses_a_page(api: CloudStackHttp) -> None:
    assert _refusal(api, page=1, pagesize=-1) == (
        431,
        4350,
        "Can't specify page parameter when pagesize is -1 (Unlimited)",
    )


def test_a_non_numeric_page_is_refused(api: CloudStackHttp) -> None:
    assert _refusal(api, page="two", pagesize=1) == (
        431,
        9999,
        "Unable to execute API command listzones due to invalid value two for parameter page",
    )


def test_count_is_the_total_not_the_page_length(api: CloudStackHttp) -> None:
    first = api.ok("listZones", page=1, pagesize=1)
    second = api.ok("listZones", page=2, pagesize=1)
    assert first["count"] == second["count"] == 3
    assert len(first["zone"]) == len(second["zone"]) == 1
    assert first["zone"][0]["id"] != second["zone"][0]["id"]


def test_a_page_past_the_end_has_the_count_only(api: CloudStackHttp) -> None:
    assert api.ok("listZones", page=4, pagesize=1) == {"count": 3}


def _names(page: dict[str, Any]) -> list[str]:
    return [key["name"] for key in page.get("sshkeypair", [])]


def test_without_page_the_first_500_come_back(many: tuple[CloudStackHttp, str]) -> None:
    api, project = many
    answer = api.ok("listSSHKeyPairs", projectid=project)
    assert answer["count"] == KEYS
    assert _names(answer) == [f"key-{i:04}" for i in range(500)]


@pytest.mark.parametrize("size", [500, 7])
def test_paging_returns_every_item_exactly_once(
    many: tuple[CloudStackHttp, str], size: int
) -> None:
    api, project = many
    seen: list[str] = []
    page = 1
    while True:
        answer = api.ok("listSSHKeyPairs", projectid=project, page=page, pagesize=size)
        assert answer["count"] == KEYS
        if not _names(answer):
            break
        assert len(_names(answer)) == min(size, KEYS - len(seen))
        seen += _names(answer)
        page += 1
    assert page == -(-KEYS // size) + 1
    assert sorted(seen) == [f"key-{i:04}" for i in range(KEYS)]
    assert len(set(seen)) == KEYS


def test_unlimited_pagesize_returns_everything(many: tuple[CloudStackHttp, str]) -> None:
    api, project = many
    answer = api.ok("listSSHKeyPairs", projectid=project, pagesize=-1)
    assert answer["count"] == KEYS
    assert len(_names(answer)) == KEYS


def test_the_last_page_is_short(many: tuple[CloudStackHttp, str]) -> None:
    api, project = many
    answer = api.ok("listSSHKeyPairs", projectid=project, page=2, pagesize=500)
    assert answer["count"] == KEYS
    assert _names(answer) == [f"key-{i:04}" for i in range(500, KEYS)]
