"""GitLab webhooks: the token check, the dedupe key, documented and derived payloads as events."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from typing import Any

import pytest

from app.events.model import Change, CommandEvent, Ignored, PullRequestEvent, ReviewEvent
from app.forges.gitlab.webhook import delivery_id, parse, verify
from app.forges.payload import Malformed
from tests.fakes.base import Delivery
from tests.fakes.gitlab import GitLabFake
from tests.fakes.gitlab_hooks import example

SECRET = "s3cret-webhook-token"
MR_HOOK = {"x-gitlab-event": "Merge Request Hook"}
NOTE_HOOK = {"x-gitlab-event": "Note Hook"}
REPO = "acme/infra"


def read(delivery: Delivery) -> tuple[dict[str, str], dict[str, Any]]:
    """What the webhook route hands to parse: lower-case header keys, decoded JSON."""
    headers = {key.lower(): value for key, value in delivery.headers.items()}
    return headers, json.loads(delivery.body)


def parsed(delivery: Delivery) -> object:
    return parse(*read(delivery))


@pytest.fixture
def fake() -> Iterator[GitLabFake]:
    """The fake unstarted: building deliveries needs its state, not its HTTP server."""
    made = GitLabFake()
    made.create_repo(REPO, {"projects/web.yaml": b"name: web\n"})
    yield made


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"x-gitlab-token": SECRET}, True),
        ({"x-gitlab-token": "guess"}, False),
        ({"x-gitlab-token": ""}, False),
        ({}, False),
    ],
)
def test_verify_compares_the_token(headers: dict[str, str], expected: bool) -> None:
    assert verify(SECRET, headers) is expected


def test_an_unset_secret_verifies_nothing() -> None:
    assert not verify("", {"x-gitlab-token": ""})


def test_delivery_id_prefers_the_idempotency_key() -> None:
    both = {"idempotency-key": "k-1", "x-gitlab-event-uuid": "e-1", "x-gitlab-webhook-uuid": "w"}
    assert delivery_id(both) == "k-1"
    assert delivery_id({"x-gitlab-event-uuid": "e-1", "x-gitlab-webhook-uuid": "w"}) == "e-1"
    assert delivery_id({"x-gitlab-webhook-uuid": "w"}) is None


def test_documented_merge_request_example_is_an_open() -> None:
    event = parse(MR_HOOK, example("merge_request_open"))
    head = "da1560886d4f094c3e6c9ef40349f7d38b5d27d7"
    assert event == PullRequestEvent(
        "gitlab", "gitlabhq/gitlab-test", 1, Change.OPENED, head, "root"
    )


def test_documented_note_example_is_not_a_command() -> None:
    assert parse(NOTE_HOOK, example("note_merge_request")) == Ignored(
        "comment is not a /stackgate command"
    )


def test_documented_push_example_is_ignored(fake: GitLabFake) -> None:
    event = parsed(fake.unsupported_delivery())
    assert isinstance(event, Ignored)
    assert "Push Hook" in event.reason


def test_fake_deliveries_carry_gitlabs_headers(fake: GitLabFake) -> None:
    _, delivery = fake.open_pr(REPO, "alice", {"projects/db.yaml": b"name: db\n"})
    headers, _ = read(delivery)
    assert delivery.path == "/webhooks/gitlab"
    assert headers["x-gitlab-event"] == "Merge Request Hook"
    assert headers["idempotency-key"] == headers["x-gitlab-event-uuid"]
    assert headers["user-agent"].startswith("GitLab/")
    assert delivery_id(headers) == headers["idempotency-key"]


def test_merge_request_life_cycle(fake: GitLabFake) -> None:
    number, opened = fake.open_pr(REPO, "alice", {"projects/db.yaml": b"a\n"}, draft=True)
    first = fake.head_sha(REPO, number)
    assert parsed(opened) == PullRequestEvent("gitlab", REPO, number, Change.OPENED, first, "alice")
    pushed = parsed(fake.push(REPO, number, {"projects/db.yaml": b"b\n"}))
    second = fake.head_sha(REPO, number)
    assert second != first
    assert pushed == PullRequestEvent("gitlab", REPO, number, Change.UPDATED, second, "alice")
    ready = parsed(fake.mark_ready(REPO, number))
    assert ready == PullRequestEvent("gitlab", REPO, number, Change.READY, second, "alice")
    labeled = parsed(fake.label(REPO, number, "bob", "allow-destroy"))
    assert labeled == PullRequestEvent("gitlab", REPO, number, Change.RELABELED, second, "bob")
    unlabeled = parsed(fake.label(REPO, number, "bob", "allow-destroy", on=False))
    assert unlabeled == labeled
    assert parsed(fake.approve(REPO, number, "bob")) == ReviewEvent("gitlab", REPO, number, "bob")
    merged = parsed(fake.close(REPO, number, merged=True))
    assert merged == PullRequestEvent("gitlab", REPO, number, Change.MERGED, second, "alice")


def test_close_without_merge(fake: GitLabFake) -> None:
    number, _ = fake.open_pr(REPO, "alice", {"projects/db.yaml": b"a\n"})
    event = parsed(fake.close(REPO, number, merged=False))
    assert isinstance(event, PullRequestEvent) and event.change is Change.CLOSED


def test_fork_merge_request_names_the_target_repo(fake: GitLabFake) -> None:
    number, opened = fake.open_pr(REPO, "mallory", {"projects/x.yaml": b"x\n"}, fork=True)
    _, payload = read(opened)
    attrs = payload["object_attributes"]
    assert attrs["source_project_id"] != attrs["target_project_id"]
    event = parsed(opened)
    assert isinstance(event, PullRequestEvent)
    assert (event.repo, event.number, event.change) == (REPO, number, Change.OPENED)


def test_command_note(fake: GitLabFake) -> None:
    number, _ = fake.open_pr(REPO, "alice", {"projects/db.yaml": b"a\n"})
    note_id, delivery = fake.comment(REPO, number, "bob", "/stackgate Plan web now")
    assert parsed(delivery) == CommandEvent(
        "gitlab", REPO, number, "bob", note_id, "plan", ("web", "now")
    )


def mr_variant(**attrs: Any) -> dict[str, Any]:
    payload = copy.deepcopy(example("merge_request_open"))
    payload["object_attributes"].update(attrs)
    return payload


def note_variant(**attrs: Any) -> dict[str, Any]:
    payload = copy.deepcopy(example("note_merge_request"))
    payload["object_attributes"].update({"note": "/stackgate apply", **attrs})
    return payload


def documented_update(*fields: str) -> dict[str, Any]:
    """The documented example as an update whose ``changes`` keep only ``fields``."""
    payload = mr_variant(action="update")
    payload["changes"] = {key: payload["changes"][key] for key in fields}
    return payload


@pytest.mark.parametrize(
    ("fields", "change"),
    [
        (("labels",), Change.RELABELED),
        (("labels", "updated_at", "updated_by_id"), Change.RELABELED),  # what a label edit sends
        (("labels", "draft"), Change.READY),  # the draft flip needs the whole review
    ],
)
def test_documented_label_changes(fields: tuple[str, ...], change: Change) -> None:
    event = parse(MR_HOOK, documented_update(*fields))
    assert isinstance(event, PullRequestEvent) and event.change is change


@pytest.mark.parametrize(
    ("headers", "payload", "reason"),
    [
        (
            MR_HOOK,
            documented_update("updated_at", "last_edited_at"),
            "merge request update without new commits, draft change, new base or labels",
        ),
        (MR_HOOK, mr_variant(action="unknown"), "merge request action 'unknown' is not one"),
        (NOTE_HOOK, note_variant(system=True), "system note"),
        (NOTE_HOOK, note_variant(action="update"), "edited comment"),
        (NOTE_HOOK, note_variant(noteable_type="Issue"), "comment on a Issue, not a merge"),
        ({"x-gitlab-event": "Pipeline Hook"}, {}, "GitLab event 'Pipeline Hook' is not one"),
        ({}, {}, "GitLab event '(none)' is not one"),
    ],
)
def test_ignored_with_a_reason(
    headers: dict[str, str], payload: dict[str, Any], reason: str
) -> None:
    event = parse(headers, payload)
    assert isinstance(event, Ignored)
    assert event.reason.startswith(reason)


@pytest.mark.parametrize(
    ("headers", "payload", "missing"),
    [
        (MR_HOOK, {}, "object_attributes"),
        (MR_HOOK, mr_variant(iid="1"), "object_attributes.iid"),
        (MR_HOOK, mr_variant(iid=True), "object_attributes.iid"),
        (MR_HOOK, {**example("merge_request_open"), "project": []}, "project.path_with_namespace"),
        (MR_HOOK, mr_variant(last_commit=None), "last_commit.id"),
        (NOTE_HOOK, {**note_variant(), "merge_request": None}, "merge_request.iid"),
        (NOTE_HOOK, note_variant(note=None), "object_attributes.note"),
    ],
)
def test_malformed_payloads_say_which_field(
    headers: dict[str, str], payload: dict[str, Any], missing: str
) -> None:
    """Once Ignored (a 200); now Malformed, which the route answers with a 400."""
    with pytest.raises(Malformed) as raised:
        parse(headers, payload)
    assert missing in str(raised.value) and ": expected" in str(raised.value)


def test_back_to_draft_and_a_new_target_are_planned_again(fake: GitLabFake) -> None:
    _number, opened = fake.open_pr(REPO, "alice", {"projects/db.yaml": b"c\n"})
    payload = json.loads(opened.body)
    payload["object_attributes"]["action"] = "update"
    payload["object_attributes"].pop("oldrev", None)
    payload["changes"] = {"draft": {"previous": False, "current": True}}
    headers = {key.lower(): value for key, value in opened.headers.items()}
    back = parse(headers, payload)
    assert isinstance(back, PullRequestEvent) and back.change is Change.UPDATED
    payload["changes"] = {"target_branch": {"previous": "main", "current": "release"}}
    retargeted = parse(headers, payload)
    assert isinstance(retargeted, PullRequestEvent) and retargeted.change is Change.UPDATED
