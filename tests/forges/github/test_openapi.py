"""The GitHub fake held to GitHub's published OpenAPI documents: it refuses and records what
GitHub would refuse, and its answers and deliveries are what GitHub documents."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.fakes.github import GitHubFake
from tests.fakes.github_openapi import (
    LEDGER,
    REST_VERSION,
    WEBHOOKS_VERSION,
    check_request,
    check_webhook,
    rest,
)

REPO = "acme/infra"
MAKEFILE = Path(__file__).resolve().parents[3] / "Makefile"


@pytest.fixture(scope="module")
def fake() -> Iterator[GitHubFake]:
    started = GitHubFake().start()
    started.create_repo(REPO, {"stackgate.yaml": b"repo: acme/infra\n", "p/a.yaml": b"a: 1\n"})
    started.grant(REPO, "alice", write=True)
    started.add_team("acme", "platform", ["pat"])
    yield started
    started.stop()


def _call(fake: GitHubFake, method: str, path: str, body: Any = None) -> requests.Response:
    headers = {"Authorization": f"token {fake.token}"}
    return requests.request(method, fake.api_url + path, json=body, headers=headers, timeout=10)


def test_the_pinned_versions_are_the_makefiles() -> None:
    pins = dict(re.findall(r"^(OCTOKIT_\w+_VERSION) := (\S+)$", MAKEFILE.read_text(), re.M))
    assert pins == {
        "OCTOKIT_OPENAPI_VERSION": REST_VERSION,
        "OCTOKIT_WEBHOOKS_VERSION": WEBHOOKS_VERSION,
    }


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "why"),
    [
        ("POST", f"/repos/{REPO}/issues/1/comments", {"body": 5}, 422, "body /body: 5 is not"),
        ("POST", f"/repos/{REPO}/issues/1/comments", None, 422, "a request body is required"),
        ("GET", f"/repos/{REPO}/pulls/1?per_page=100", None, 422, "per_page is no documented"),
        ("GET", f"/repos/{REPO}/pulls/1/files?per_page=x", None, 422, "query per_page /: 'x'"),
        ("GET", f"/repos/{REPO}/issues?state=merged", None, 422, "query state /: 'merged'"),
        ("GET", f"/repos/{REPO}/pulls/one", None, 404, "path pull_number /: 'one'"),
        ("POST", f"/repos/{REPO}/pulls/1", {}, 404, "GitHub documents no such operation"),
        ("GET", f"/repos/{REPO}/pulls/1/nothing", None, 404, "GitHub documents no such"),
    ],
)
def test_a_request_github_would_refuse_is_refused_and_fails_its_test(
    fake: GitHubFake, method: str, path: str, body: Any, status: int, why: str
) -> None:
    fake.open_pr(REPO, "alice", {"p/a.yaml": b"a: 2\n"})
    with LEDGER.expected() as found:
        answer = _call(fake, method, path, body)
    assert answer.status_code == status
    assert len(found) == 1 and why in found[0], found


def test_every_answer_the_fake_gives_is_as_github_documents(fake: GitHubFake) -> None:
    number, _ = fake.open_pr(REPO, "alice", {"p/a.yaml": b"a: 3\n", "p/b.yaml": b"b: 1\n"})
    fake.approve(REPO, number, "alice")
    head = fake.head_sha(REPO, number)
    repo = f"/repos/{REPO}"
    with LEDGER.expected() as found:
        made = _call(fake, "POST", f"{repo}/issues/{number}/comments", {"body": "plan"}).json()
        calls = [
            ("GET", "/user", None),
            ("GET", "/rate_limit", None),
            ("GET", repo, None),
            ("GET", f"{repo}/pulls/{number}", None),
            ("GET", f"{repo}/pulls/{number}/files?per_page=100", None),
            ("GET", f"{repo}/pulls/{number}/commits", None),
            ("GET", f"{repo}/pulls/{number}/reviews", None),
            ("GET", f"{repo}/commits/{head}/pulls", None),
            ("GET", f"{repo}/issues/{number}/comments", None),
            ("PATCH", f"{repo}/issues/comments/{made['id']}", {"body": "plan, again"}),
            ("POST", f"{repo}/issues/comments/{made['id']}/reactions", {"content": "eyes"}),
            ("GET", f"{repo}/issues/comments/{made['id']}", None),
            ("POST", f"{repo}/statuses/{head}", {"state": "pending", "context": "stackgate/plan"}),
            ("POST", f"{repo}/issues", {"title": "Drift", "body": "found"}),
            ("GET", f"{repo}/issues?state=all&creator=stackgate-bot", None),
            ("GET", f"{repo}/git/ref/heads/main", None),
            ("GET", f"{repo}/git/trees/{head}?recursive=1", None),
            ("GET", f"{repo}/contents/p/a.yaml?ref={head}", None),
            ("GET", f"{repo}/contents/p?ref={head}", None),
            ("GET", f"{repo}/collaborators/alice/permission", None),
            ("GET", "/orgs/acme/teams/platform/members", None),
            ("DELETE", f"{repo}/issues/comments/{made['id']}", None),
        ]
        answers = [_call(fake, method, path, body).status_code for method, path, body in calls]
    assert found == []
    assert all(status < 300 for status in answers), list(zip(calls, answers, strict=True))


def test_every_delivery_the_fake_makes_is_as_github_documents(fake: GitHubFake) -> None:
    number, opened = fake.open_pr(REPO, "alice", {"p/a.yaml": b"a: 4\n"})
    deliveries = [
        opened,
        fake.push(REPO, number, {"p/a.yaml": b"a: 5\n"}),
        fake.label(REPO, number, "alice", "urgent"),
        fake.label(REPO, number, "alice", "urgent", on=False),
        fake.approve(REPO, number, "alice"),
        fake.comment(REPO, number, "alice", "/stackgate plan")[1],
        fake.close(REPO, number, merged=True),
        fake.unsupported_delivery(),
    ]
    for delivery in deliveries:
        event = delivery.headers["X-GitHub-Event"]
        assert check_webhook(event, json.loads(delivery.body)) == [], event


def test_openapi_nullable_and_multi_segment_parameters_are_read_as_github_means_them() -> None:
    body = {"state": "success", "description": None, "target_url": None, "context": "x"}
    assert check_request("POST", "/repos/a/b/statuses/abc", [], body)[1] == []
    op, wrong = check_request("GET", "/repos/a/b/contents/deep/in/it.yaml", [("ref", "main")], None)
    assert op is not None and op.name == "GET /repos/{owner}/{repo}/contents/{path}" and not wrong
    op, wrong = check_request("GET", "/repos/a/b/issues/comments/7", [], None)
    assert op is not None and op.name.endswith("/issues/comments/{comment_id}") and not wrong


def test_the_document_is_loaded_once_and_converted_only_where_used(fake: GitHubFake) -> None:
    _call(fake, "GET", f"/repos/{REPO}")
    assert rest() is rest()
    converted = rest().doc.converted.cache_info().currsize
    assert 0 < converted < len(rest().doc.raw["components"]["schemas"]) / 4
