"""Turn a GitHub webhook delivery into our event vocabulary, without touching the network."""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping
from typing import Any

from app.events.commands import parse_command
from app.events.model import (
    Change,
    CommandEvent,
    Event,
    Ignored,
    MergeGroupEvent,
    PullRequestEvent,
    PushEvent,
    ReviewEvent,
)
from app.forges.payload import (
    LARGEST_ID,
    LONGEST_TEXT,
    mapping,
    number,
    optional_text,
    text,
)

FORGE = "github"
_SIGNATURE_PREFIX = "sha256="
_HEX_DIGEST = re.compile(r"[0-9a-f]{64}")
_PR_CHANGES = {
    "opened": Change.OPENED,
    "reopened": Change.OPENED,
    "synchronize": Change.UPDATED,
    "ready_for_review": Change.READY,
    "converted_to_draft": Change.UPDATED,  # back to draft: the approval gate goes pending
    "labeled": Change.RELABELED,  # labels are policy input (allow-destroy)
    "unlabeled": Change.RELABELED,
}
_REVIEW_ACTIONS = frozenset({"submitted", "dismissed", "edited"})
_BRANCH = "refs/heads/"
_DELETED = "0" * 40


class Signature:
    """The HMAC of a body read in pieces, held against the signature its headers carry."""

    def __init__(self, secret: str, given: str) -> None:
        self._mac = hmac.new(secret.encode(), digestmod=hashlib.sha256)
        self._given = given

    def update(self, chunk: bytes) -> None:
        self._mac.update(chunk)

    def valid(self) -> bool:
        return hmac.compare_digest(self._given, self._mac.hexdigest())


def signature(secret: str, headers: Mapping[str, str]) -> Signature | None:
    """What the body must hash to, or None when ``X-Hub-Signature-256`` cannot be one (then
    the body need not be read at all)."""
    given = headers.get("x-hub-signature-256", "")
    digest = given.removeprefix(_SIGNATURE_PREFIX)
    if digest == given or not _HEX_DIGEST.fullmatch(digest):
        return None
    return Signature(secret, digest)


def verify(secret: str, body: bytes, headers: Mapping[str, str]) -> bool:
    """Whether ``X-Hub-Signature-256`` is the HMAC of the raw body under ``secret``."""
    check = signature(secret, headers)
    if check is None:
        return False
    check.update(body)
    return check.valid()


def delivery_id(headers: Mapping[str, str]) -> str | None:
    """GitHub's delivery GUID; a redelivery repeats it, so it is the idempotency key."""
    return headers.get("x-github-delivery") or None


def parse(headers: Mapping[str, str], payload: dict[str, Any]) -> Event | Ignored:
    """The event a delivery stands for, or why we do not act on it; Malformed (saying which
    field) when an event we act on lacks what it needs."""
    kind = headers.get("x-github-event", "")
    if kind == "pull_request":
        return _pull_request(payload)
    if kind == "pull_request_review":
        return _review(payload)
    if kind == "issue_comment":
        return _comment(payload)
    if kind == "merge_group":
        return _merge_group(payload)
    if kind == "push":
        return _push(payload)
    if kind == "ping":
        return Ignored(reason="ping: the webhook is set up, nothing to do")
    return Ignored(reason=f"event {kind or '(none)'} is not acted on")


def _where(payload: dict[str, Any]) -> tuple[str, str]:
    """The repository full name and the sender login every event carries."""
    return text(payload, "repository", "full_name"), text(payload, "sender", "login")


def _pull_request(payload: dict[str, Any]) -> Event | Ignored:
    action = optional_text(payload, "action")
    pr = mapping(payload, "pull_request")
    changes = payload.get("changes")
    if action == "closed":
        change = Change.MERGED if pr.get("merged") is True else Change.CLOSED
    elif action in _PR_CHANGES:
        change = _PR_CHANGES[action]
    elif action == "edited" and isinstance(changes, dict) and "base" in changes:
        change = Change.UPDATED  # a new base: judged again by the new base's policies
    else:
        return Ignored(reason=f"pull_request action {action} is not acted on")
    repo, sender = _where(payload)
    return PullRequestEvent(
        forge=FORGE,
        repo=repo,
        number=number(payload, "pull_request", "number"),
        change=change,
        head_sha=text(payload, "pull_request", "head", "sha"),
        sender=sender,
    )


def _review(payload: dict[str, Any]) -> Event | Ignored:
    action = optional_text(payload, "action")
    if action not in _REVIEW_ACTIONS:
        return Ignored(reason=f"pull_request_review action {action} is not acted on")
    repo, sender = _where(payload)
    return ReviewEvent(
        forge=FORGE, repo=repo, number=number(payload, "pull_request", "number"), sender=sender
    )


def _comment(payload: dict[str, Any]) -> Event | Ignored:
    action = optional_text(payload, "action")
    if action != "created":
        return Ignored(reason=f"issue_comment action {action} is not acted on")
    if not mapping(payload, "issue").get("pull_request"):
        return Ignored(reason="issue_comment on an issue, not a pull request")
    body = optional_text(payload, "comment", "body", longest=LONGEST_TEXT)
    command = parse_command(body or "")
    if command is None:
        return Ignored(reason="comment is not a /stackgate command")
    repo, sender = _where(payload)
    verb, args = command
    return CommandEvent(
        forge=FORGE,
        repo=repo,
        number=number(payload, "issue", "number"),
        sender=sender,
        comment_id=number(payload, "comment", "id", largest=LARGEST_ID),
        verb=verb,
        args=args,
    )


def _merge_group(payload: dict[str, Any]) -> Event | Ignored:
    action = optional_text(payload, "action")
    if action not in ("checks_requested", "destroyed"):
        return Ignored(reason=f"merge_group action {action} is not acted on")
    repo, sender = _where(payload)
    return MergeGroupEvent(
        forge=FORGE,
        repo=repo,
        head_sha=text(payload, "merge_group", "head_sha"),
        head_ref=text(payload, "merge_group", "head_ref"),
        base_ref=text(payload, "merge_group", "base_ref").removeprefix(_BRANCH),
        base_sha=text(payload, "merge_group", "base_sha"),
        sender=sender,
        # GitHub documents the reason; a delivery without one was still dropped
        destroyed=(optional_text(payload, "reason") or "dropped") if action == "destroyed" else "",
    )


def _push(payload: dict[str, Any]) -> Event | Ignored:
    """Only the default branch moving forward matters: it is how a merge queue lands."""
    ref = text(payload, "ref")
    default = text(payload, "repository", "default_branch")
    after = text(payload, "after")
    if ref != _BRANCH + default or after == _DELETED:
        return Ignored(reason=f"push to {ref} is not acted on (only {default} moving is)")
    repo, sender = _where(payload)
    return PushEvent(
        forge=FORGE,
        repo=repo,
        branch=default,
        before=text(payload, "before"),
        after=after,
        sender=sender,
    )
