"""GitHub webhooks: signatures, and recorded (and derived) payloads read into our events."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

import pytest

from app.events.commands import parse_command
from app.events.model import (
    Change,
    CommandEvent,
    Ignored,
    MergeGroupEvent,
    PullRequestEvent,
    PushEvent,
    ReviewEvent,
)
from app.forges.github.webhook import delivery_id, parse, verify
from app.forges.payload import Malformed
from tests.fakes.github_json import PAYLOADS

SECRET = "It's a Secret to Everybody"
RECORDED_SHA = "ec26c3e57ca3a959ca5aad62de7213c562f8c821"


def recorded(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((PAYLOADS / f"{name}.json").read_text())
    return loaded


def signed(body: bytes, secret: str = SECRET) -> dict[str, str]:
    digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return {"x-hub-signature-256": f"sha256={digest}"}


def test_verify_matches_githubs_documented_vector() -> None:
    expected = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
    assert signed(b"Hello, World!") == {"x-hub-signature-256": expected}
    assert verify(SECRET, b"Hello, World!", {"x-hub-signature-256": expected})


@pytest.mark.parametrize(
    ("secret", "body", "headers"),
    [
        ("wrong secret", b"Hello, World!", signed(b"Hello, World!")),
        (SECRET, b"Hello, World?", signed(b"Hello, World!")),  # tampered body
        (SECRET, b"Hello, World!", {}),  # missing header
        (SECRET, b"Hello, World!", {"x-hub-signature-256": "sha1=abc"}),
        (SECRET, b"Hello, World!", {"x-hub-signature-256": "sha256="}),
        (SECRET, b"Hello, World!", {"x-hub-signature-256": "sha256=zz\u00e9"}),
    ],
    ids=["wrong-secret", "tampered-body", "missing", "wrong-scheme", "empty", "non-ascii"],
)
def test_verify_refuses(secret: str, body: bytes, headers: dict[str, str]) -> None:
    assert not verify(secret, body, headers)


def test_delivery_id() -> None:
    assert delivery_id({"x-github-delivery": "72d3162e-cc78-11e3"}) == "72d3162e-cc78-11e3"
    assert delivery_id({}) is None


@pytest.mark.parametrize(
    ("name", "change"),
    [
        ("pull_request.opened", Change.OPENED),
        ("pull_request.reopened", Change.OPENED),
        ("pull_request.synchronize", Change.UPDATED),
        ("pull_request.ready_for_review", Change.READY),
        ("pull_request.closed", Change.CLOSED),
        ("pull_request.labeled", Change.RELABELED),
        ("pull_request.unlabeled", Change.RELABELED),
    ],
)
def test_recorded_pull_request_events(name: str, change: Change) -> None:
    event = parse({"x-github-event": "pull_request"}, recorded(name))
    assert event == PullRequestEvent(
        "github", "Codertocat/Hello-World", 2, change, RECORDED_SHA, "Codertocat"
    )


def test_derived_merged_close() -> None:
    payload = recorded("pull_request.closed")
    payload["pull_request"].update(merged=True, merge_commit_sha="f" * 40)
    event = parse({"x-github-event": "pull_request"}, payload)
    assert isinstance(event, PullRequestEvent) and event.change is Change.MERGED


def test_derived_fork_reads_like_any_pull_request() -> None:
    payload = recorded("pull_request.opened")
    payload["pull_request"]["head"]["repo"]["full_name"] = "mallory/Hello-World"
    event = parse({"x-github-event": "pull_request"}, payload)
    assert isinstance(event, PullRequestEvent) and event.repo == "Codertocat/Hello-World"


@pytest.mark.parametrize("name", ["pull_request_review.submitted", "pull_request_review.dismissed"])
def test_recorded_reviews(name: str) -> None:
    event = parse({"x-github-event": "pull_request_review"}, recorded(name))
    assert event == ReviewEvent("github", "Codertocat/Hello-World", 2, "Codertocat")


def test_derived_approved_review() -> None:
    payload = recorded("pull_request_review.submitted")
    payload["review"]["state"] = "approved"
    event = parse({"x-github-event": "pull_request_review"}, payload)
    assert isinstance(event, ReviewEvent) and event.number == 2


def pr_comment(body: str) -> dict[str, Any]:
    payload = recorded("issue_comment.created")
    payload["issue"]["pull_request"] = {"url": "https://api.github.com/repos/x/y/pulls/1"}
    payload["comment"]["body"] = body
    return payload


def test_derived_command_comment() -> None:
    event = parse({"x-github-event": "issue_comment"}, pr_comment("/stackgate Apply now please"))
    assert event == CommandEvent(
        "github", "Codertocat/Hello-World", 1, "Codertocat", 492700400, "apply", ("now", "please")
    )


def test_bare_command_means_help() -> None:
    event = parse({"x-github-event": "issue_comment"}, pr_comment("\n  /stackgate  \n"))
    assert isinstance(event, CommandEvent) and (event.verb, event.args) == ("help", ())


def test_merge_group_checks_requested_and_destroyed() -> None:
    payload = recorded("merge_group.checks_requested")
    event = parse({"x-github-event": "merge_group"}, payload)
    assert event == MergeGroupEvent(
        forge="github",
        repo="octo-org/octo-repo",
        head_sha="2ffea6db159f6b6c47a24e778fb9ef40cf6b1c7d",
        head_ref="refs/heads/gh-readonly-queue/main/pr-104-929f8209d40f77f4abc622a499c93a83babdbe64",
        base_ref="main",
        base_sha="380387fbc80638b734a49e1be1c4dfec1c01b33c",
        sender="Codertocat",
    )
    dropped = {**payload, "action": "destroyed", "reason": "dequeued"}
    event = parse({"x-github-event": "merge_group"}, dropped)
    assert isinstance(event, MergeGroupEvent) and event.destroyed == "dequeued"


def test_a_push_to_the_default_branch_is_acted_on() -> None:
    """How a merge queue lands its group; pushes elsewhere (tags, branches) are not."""
    payload = recorded("push")
    payload.update(ref="refs/heads/master", before="a" * 40)
    event = parse({"x-github-event": "push"}, payload)
    assert event == PushEvent(
        forge="github",
        repo="Codertocat/Hello-World",
        branch="master",
        before="a" * 40,
        after="6113728f27ae82c7b1a177c8d03f9e96e0adf246",
        sender="Codertocat",
    )
    deleted = {**payload, "after": "0" * 40, "deleted": True}
    assert isinstance(parse({"x-github-event": "push"}, deleted), Ignored)


def assigned() -> dict[str, Any]:
    """An action stackgate has no use for (the package's assigned example is not stored)."""
    return {**recorded("pull_request.labeled"), "action": "assigned"}


@pytest.mark.parametrize(
    ("kind", "payload", "reason"),
    [
        ("issue_comment", recorded("issue_comment.created"), "not a pull request"),
        ("issue_comment", pr_comment("looks good"), "not a /stackgate command"),
        ("pull_request", assigned(), "action assigned is not acted on"),
        ("ping", recorded("ping"), "ping"),
        ("push", recorded("push"), "push to refs/tags/simple-tag is not acted on"),
        ("", {}, "event (none) is not acted on"),
    ],
)
def test_ignored_with_a_reason(kind: str, payload: dict[str, Any], reason: str) -> None:
    ignored = parse({"x-github-event": kind}, payload)
    assert isinstance(ignored, Ignored) and reason in ignored.reason


@pytest.mark.parametrize(
    ("kind", "payload", "said"),
    [
        (
            "pull_request",
            {"action": "opened", "pull_request": None},
            "field pull_request: expected an object, got null",
        ),
        (
            "pull_request",
            {"action": "opened", "pull_request": {"number": 1}},
            "field repository.full_name: expected a string of at most 255 characters, "
            "it is missing",
        ),
        ("issue_comment", {"action": "created"}, "field issue: expected an object"),
        (
            "pull_request_review",
            {"action": "submitted", "sender": {}},
            "field repository.full_name: expected a string",
        ),
        (
            "pull_request",
            {**recorded("pull_request.opened"), "number": 1, "pull_request": {"number": "7"}},
            "field pull_request.number: expected a whole number from 1 to 2147483647, got a string",
        ),
    ],
)
def test_a_malformed_event_we_act_on_says_which_field(
    kind: str, payload: dict[str, Any], said: str
) -> None:
    """Once these were Ignored with Python's words (KeyError 'repository'); now the route
    answers 400 with the sentence."""
    with pytest.raises(Malformed) as raised:
        parse({"x-github-event": kind}, payload)
    assert said in str(raised.value)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("/stackgate plan", ("plan", ())),
        ("/STACKGATE UNLOCK prod", ("unlock", ("prod",))),
        ("\n\n   /stackgate apply a b\nmore text", ("apply", ("a", "b"))),
        ("/stackgate", ("help", ())),
        ("please /stackgate plan", None),
        ("> /stackgate plan", None),
        ("hello\n/stackgate plan", None),
        ("/stackgateplan", None),
        ("", None),
    ],
)
def test_parse_command(body: str, expected: tuple[str, tuple[str, ...]] | None) -> None:
    assert parse_command(body) == expected


def test_derived_back_to_draft_and_new_base_are_planned_again() -> None:
    payload = recorded("pull_request.ready_for_review")
    payload["action"] = "converted_to_draft"
    back = parse({"x-github-event": "pull_request"}, payload)
    assert isinstance(back, PullRequestEvent) and back.change is Change.UPDATED
    payload["action"] = "edited"
    payload["changes"] = {"base": {"ref": {"from": "develop"}, "sha": {"from": "0" * 40}}}
    rebased = parse({"x-github-event": "pull_request"}, payload)
    assert isinstance(rebased, PullRequestEvent) and rebased.change is Change.UPDATED
    payload["changes"] = {"title": {"from": "old title"}}
    assert isinstance(parse({"x-github-event": "pull_request"}, payload), Ignored)
