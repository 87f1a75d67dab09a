"""GitHubForge through the real PyGithub against the fake GitHub, one fake for the module."""

from __future__ import annotations

import itertools
import json
import logging
import time
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest

from app.events.model import Change, CommandEvent, Event, Ignored, PullRequestEvent
from app.forges.base import COMMENT_MARKER, ForgeError, Reaction, StatusState, TreeFile
from app.forges.github.client import GitHubForge
from app.forges.github.webhook import parse
from tests.fakes.base import Delivery, FailurePlan
from tests.fakes.github import GitHubFake
from tests.fakes.github_git import CONTENTS_LIMIT
from tests.forges.contract import (
    check_a_merge_says_its_commit_and_who_merged,
    check_commit_authors_are_everyone_who_pushed,
    check_one_issue_per_title,
)

FILES = {
    "stackgate.yaml": b"repo: acme/infra\n",
    "projects/web/vms.yaml": b"vms: []\n",
    "projects/web/old.yaml": b"kept: as is\n",
}
_repos = itertools.count(1)


@pytest.fixture(scope="module")
def fake() -> Iterator[GitHubFake]:
    started = GitHubFake().start()
    yield started
    started.stop()


@pytest.fixture(scope="module")
def forge(fake: GitHubFake) -> GitHubForge:
    return GitHubForge(api_url=fake.api_url, token=fake.token)


@pytest.fixture
def repo(fake: GitHubFake) -> str:
    """A fresh repository per test, so tests share the server but not state."""
    name = f"acme/infra-{next(_repos)}"
    fake.create_repo(name, FILES)
    return name


def event(delivery: Delivery) -> Event | Ignored:
    """What stackgate reads from the fake's delivery (it lower-cases header names)."""
    headers = {key.lower(): value for key, value in delivery.headers.items()}
    return parse(headers, json.loads(delivery.body))


def test_pull_request_fields(fake: GitHubFake, forge: GitHubForge, repo: str) -> None:
    number, delivery = fake.open_pr(repo, "alice", {"projects/web/vms.yaml": b"vms: [a]\n"})
    pr = forge.pull_request(repo, number)
    assert (pr.forge, pr.repo, pr.number, pr.author, pr.base_ref) == (
        "github",
        repo,
        number,
        "alice",
        "main",
    )
    assert pr.head_sha == fake.head_sha(repo, number)
    assert pr.merge_sha and pr.merge_sha not in (pr.head_sha, pr.base_sha)
    assert (pr.state, pr.fork, pr.draft) == ("open", False, False)
    assert event(delivery) == PullRequestEvent(
        "github", repo, number, Change.OPENED, pr.head_sha, "alice"
    )
    # the test merge is a real commit: the base with the PR's change applied
    assert forge.read_file(repo, pr.merge_sha, "projects/web/vms.yaml") == b"vms: [a]\n"


def test_fork_draft_and_merged(fake: GitHubFake, forge: GitHubForge, repo: str) -> None:
    number, _ = fake.open_pr(repo, "mallory", {"a.txt": b"a"}, fork=True, draft=True)
    pr = forge.pull_request(repo, number)
    assert pr.fork and pr.draft
    fake.mark_ready(repo, number)
    assert not forge.pull_request(repo, number).draft
    delivery = fake.close(repo, number, merged=True)
    merged = forge.pull_request(repo, number)
    assert (merged.state, merged.merge_sha) == ("merged", "")
    closed = event(delivery)
    assert isinstance(closed, PullRequestEvent) and closed.change is Change.MERGED


def test_changed_paths_pages_and_renames(fake: GitHubFake, forge: GitHubForge, repo: str) -> None:
    changes: dict[str, bytes | None] = {f"projects/p{i}/vms.yaml": b"x" for i in range(248)}
    changes |= {"projects/web/old.yaml": None, "projects/web/new.yaml": b"kept: as is\n"}
    number, _ = fake.open_pr(repo, "alice", changes)
    fake.api.requests.clear()
    paths = forge.changed_paths(repo, number)
    assert len(paths) == 250 and {"projects/web/old.yaml", "projects/web/new.yaml"} <= paths
    pages = [parse_qs(urlsplit(url).query) for _, url in fake.api.requests if "/files" in url]
    assert pages == [
        {"per_page": ["100"]},
        {"per_page": ["100"], "page": ["2"]},
        {"per_page": ["100"], "page": ["3"]},
    ]


def test_tree_and_files(fake: GitHubFake, forge: GitHubForge, repo: str) -> None:
    big = b"y" * (CONTENTS_LIMIT + 10)
    changes: dict[str, bytes | None] = {"link.yaml": b"symlink:stackgate.yaml", "big.bin": big}
    number, _ = fake.open_pr(repo, "alice", changes)
    head = fake.head_sha(repo, number)
    tree = forge.tree(repo, head)
    assert TreeFile("link.yaml", len("stackgate.yaml"), symlink=True) in tree
    assert TreeFile("projects/web/vms.yaml", 8) in tree
    assert {f.path for f in tree} == {*FILES, "link.yaml", "big.bin"}
    assert forge.read_file(repo, head, "projects/web/vms.yaml") == b"vms: []\n"
    assert forge.read_file(repo, head, "link.yaml") == b"stackgate.yaml"
    assert forge.read_file(repo, head, "big.bin") == big  # over 1 MB: through the blob API
    assert forge.read_file(repo, head, "missing.yaml") is None
    assert forge.read_file(repo, head, "projects") is None  # a directory
    assert forge.read_file(repo, "main", "link.yaml") is None


def test_truncated_tree_is_an_error(fake: GitHubFake, forge: GitHubForge, repo: str) -> None:
    fake.api.tree_limit = 2
    try:
        with pytest.raises(ForgeError, match="truncated") as raised:
            forge.tree(repo, "main")
    finally:
        fake.api.tree_limit = None
    assert not raised.value.transient


def test_upsert_comment(fake: GitHubFake, forge: GitHubForge, repo: str) -> None:
    number, _ = fake.open_pr(repo, "alice", {"a.txt": b"a"})
    quoting, _ = fake.comment(repo, number, "alice", f"{COMMENT_MARKER} -->\nwhy this plan?")
    for i in range(120):  # the bot's comments are on the second page
        fake.comment(repo, number, "bob", f"chatter {i}")
    forge.upsert_comment(repo, number, [f"{COMMENT_MARKER} 1/2 -->", f"{COMMENT_MARKER} 2/2 -->"])
    mine = [c for c in fake.comments(repo, number) if c.author == fake.bot]
    assert [c.body for c in mine] == [f"{COMMENT_MARKER} 1/2 -->", f"{COMMENT_MARKER} 2/2 -->"]

    forge.upsert_comment(repo, number, [f"{COMMENT_MARKER} only -->"])
    after = [c for c in fake.comments(repo, number) if c.author == fake.bot]
    assert [(c.id, c.body) for c in after] == [(mine[0].id, f"{COMMENT_MARKER} only -->")]
    others = [c for c in fake.comments(repo, number) if c.author != fake.bot]
    assert len(others) == 121 and others[0].id == quoting

    forge.comment(repo, number, "a one-off")
    assert fake.comments(repo, number)[-1].body == "a one-off"


def test_statuses(fake: GitHubFake, forge: GitHubForge, repo: str) -> None:
    number, _ = fake.open_pr(repo, "alice", {"a.txt": b"a"})
    sha = fake.head_sha(repo, number)
    forge.set_status(repo, sha, "stackgate/plan", StatusState.PENDING, "planning", "")
    forge.set_status(repo, sha, "stackgate/plan", StatusState.FAILURE, "x" * 300, "http://x/1")
    forge.set_status(repo, sha, "stackgate/apply", StatusState.SUCCESS, "fits", "http://x/2")
    seen = fake.statuses(repo, sha)
    assert seen["stackgate/plan"].state == "failure"
    assert seen["stackgate/plan"].description == "x" * 139 + "…"
    assert (seen["stackgate/apply"].state, seen["stackgate/apply"].description) == (
        "success",
        "fits",
    )


def test_approvals(fake: GitHubFake, forge: GitHubForge, repo: str) -> None:
    number, _ = fake.open_pr(repo, "alice", {"a.txt": b"a"})
    first = fake.head_sha(repo, number)
    fake.approve(repo, number, "bob")
    fake.approve(repo, number, "carol")
    fake.review(repo, number, "dave", "COMMENTED")
    fake.push(repo, number, {"a.txt": b"b"})
    fake.review(repo, number, "carol", "COMMENTED")  # a comment does not withdraw it
    found = forge.approvals(repo, number)
    assert {(a.user, a.commit) for a in found} == {("bob", first), ("carol", first)}
    fake.review(repo, number, "bob", "CHANGES_REQUESTED")
    (carol,) = forge.pull_request(repo, number).approvals
    assert (carol.user, carol.commit) == ("carol", first)
    # Each act of approving has its own id: approving again on the same commit is a new one.
    assert carol.given and carol.given != next(a.given for a in found if a.user == "bob")
    fake.approve(repo, number, "carol")
    again = forge.approvals(repo, number)
    assert [a.user for a in again] == ["carol"] and again[0].given != carol.given


def test_can_write(fake: GitHubFake, forge: GitHubForge, repo: str) -> None:
    fake.grant(repo, "writer", write=True)
    fake.grant(repo, "reader", write=False)
    fake.set_role(repo, "keeper", "maintain")
    fake.set_role(repo, "deployer", "deployer")  # a custom role on top of read
    assert forge.can_write(repo, "writer") and forge.can_write(repo, "keeper")
    assert forge.can_write(repo, "acme")  # the owner is admin
    assert not forge.can_write(repo, "reader")
    assert not forge.can_write(repo, "deployer")
    assert not forge.can_write(repo, "stranger")


def test_group_members(fake: GitHubFake, forge: GitHubForge, repo: str) -> None:
    fake.add_team("acme", "cloud-admins", [f"admin{i}" for i in range(105)])
    fake.add_team("other", "ops", ["olga"])
    assert len(forge.group_members(repo, "@acme/cloud-admins")) == 105  # two pages
    assert forge.group_members(repo, "cloud-admins") == forge.group_members(
        repo, "acme/cloud-admins"
    )
    assert forge.group_members(repo, "@other/ops") == {"olga"}
    assert forge.group_members(repo, "@acme/nobody") == set()
    fake.fail_next(FailurePlan(1, 503, path_contains="/teams/"))
    with pytest.raises(ForgeError) as raised:
        forge.group_members(repo, "@acme/cloud-admins")
    assert raised.value.transient


def test_react(fake: GitHubFake, forge: GitHubForge, repo: str) -> None:
    number, _ = fake.open_pr(repo, "alice", {"a.txt": b"a"})
    comment_id, delivery = fake.comment(repo, number, "alice", "/stackgate plan")
    command = event(delivery)
    assert isinstance(command, CommandEvent) and command.comment_id == comment_id
    forge.react(repo, number, comment_id, Reaction.SEEN)
    forge.react(repo, number, comment_id, Reaction.REFUSED)
    assert fake.reactions(repo, comment_id) == ["eyes", "confused"]


def test_server_error_is_transient(fake: GitHubFake, forge: GitHubForge, repo: str) -> None:
    fake.fail_next(FailurePlan(1, 502, path_contains="/pulls/"))
    with pytest.raises(ForgeError) as raised:
        forge.pull_request(repo, 1)
    assert raised.value.transient and "502" in str(raised.value)


def test_rate_limit_is_transient_with_a_wait(
    fake: GitHubFake, forge: GitHubForge, repo: str
) -> None:
    reset = str(int(time.time()) + 30)
    headers = {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": reset}
    fake.fail_next(FailurePlan(1, 403, headers=headers))
    with pytest.raises(ForgeError) as raised:
        forge.changed_paths(repo, 1)
    assert raised.value.transient and 25 < (raised.value.retry_after or 0) <= 31
    fake.fail_next(FailurePlan(1, 429, headers={"Retry-After": "7"}))
    with pytest.raises(ForgeError) as raised:
        forge.changed_paths(repo, 1)
    assert raised.value.transient and raised.value.retry_after == 7


def test_missing_pull_request_is_not_transient(forge: GitHubForge, repo: str) -> None:
    with pytest.raises(ForgeError, match="404") as raised:
        forge.pull_request(repo, 999)
    assert not raised.value.transient


def test_connection_refused_is_transient() -> None:
    closed = GitHubForge(api_url="http://127.0.0.1:9", token="ghp_x", timeout=1)
    with pytest.raises(ForgeError) as raised:
        closed.pull_request("acme/infra", 1)
    assert raised.value.transient


def test_token_never_leaks(
    fake: GitHubFake, forge: GitHubForge, repo: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    wrong = GitHubForge(api_url=fake.api_url, token="ghp_wrongSECRETwrongSECRET")
    with pytest.raises(ForgeError) as refused:
        wrong.pull_request(repo, 1)
    assert not refused.value.transient and "401" in str(refused.value)
    fake.fail_next(FailurePlan(1, 502))
    with pytest.raises(ForgeError) as failed:
        forge.tree(repo, "main")
    forge.tree(repo, "main")
    texts = [str(refused.value), str(failed.value)] + [r.getMessage() for r in caplog.records]
    assert caplog.records  # PyGithub did log its requests
    assert not [t for t in texts if fake.token in t or "wrongSECRET" in t]


def test_constructor_wants_one_kind_of_credentials() -> None:
    for kwargs in ({}, {"app_id": 1}, {"token": "t", "app_id": 1, "private_key": "k"}):
        with pytest.raises(ValueError, match="either a token"):
            GitHubForge(**kwargs)


def test_a_merged_pull_request_says_its_commit_and_who_merged(
    fake: GitHubFake, forge: GitHubForge, repo: str
) -> None:
    check_a_merge_says_its_commit_and_who_merged(
        forge, fake, repo, {"projects/web/vms.yaml": b"vms: [a]\n"}
    )


def test_one_issue_per_title_opened_edited_and_closed(
    fake: GitHubFake, forge: GitHubForge, repo: str
) -> None:
    fake.open_pr(repo, "alice", {"projects/web/vms.yaml": b"vms: [a]\n"})  # listed as an issue
    check_one_issue_per_title(forge, fake, repo)
    assert [issue.number for issue in fake.issues(repo)] == [2, 3]  # numbered after the PR


def test_commit_authors_are_everyone_who_pushed(
    fake: GitHubFake, forge: GitHubForge, repo: str
) -> None:
    check_commit_authors_are_everyone_who_pushed(forge, fake, repo, "projects/web/vms.yaml")
