"""Turn a GitHub webhook delivery into our event vocabulary, without touching the network."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from typing import Any

from app.events.commands import parse_command
from app.events.model import (
    Change,
    CommandEvent,
    Event,
    Ignored,
    PullRequestEvent,
    ReviewEvent,
)

FORGE = "github"
_SIGNATURE_PREFIX = "sha256="
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


def verify(secret: str, body: bytes, headers: Mapping[str, str]) -> bool:
    """Whether ``X-Hub-Signature-256`` is the HMAC of the raw body under ``secret``."""
    given = headers.get("x-hub-signature-256", "")
    if not given.startswith(_SIGNATURE_PREFIX):
        return False
    expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    # compare_digest wants both sides ASCII; a non-ASCII header is simply a bad signature
    try:
        return hmac.compare_digest(given[len(_SIGNATURE_PREFIX) :], expected)
    except TypeError:
        return False


def delivery_id(headers: Mapping[str, str]) -> str | None:
    """GitHub's delivery GUID; a redelivery repeats it, so it is the idempotency key."""
    return headers.get("x-github-delivery") or None


def parse(headers: Mapping[str, str], payload: dict[str, Any]) -> Event | Ignored:
    """The event a delivery stands for, or why we do not act on it."""
    kind = headers.get("x-github-event", "")
    try:
        if kind == "pull_request":
            return _pull_request(payload)
        if kind == "pull_request_review":
            return _review(payload)
        if kind == "issue_comment":
            return _comment(payload)
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        return Ignored(reason=f"malformed {kind} payload: {type(error).__name__} {error}")
    if kind == "ping":
        return Ignored(reason="ping: the webhook is set up, nothing to do")
    return Ignored(reason=f"event {kind or '(none)'} is not acted on")


def _where(payload: dict[str, Any]) -> tuple[str, str]:
    """The repository full name and the sender login every event carries."""
    return str(payload["repository"]["full_name"]), str(payload["sender"]["login"])


def _pull_request(payload: dict[str, Any]) -> Event | Ignored:
    action = payload.get("action")
    pr = payload["pull_request"]
    if action == "closed":
        change = Change.MERGED if pr.get("merged") else Change.CLOSED
    elif action in _PR_CHANGES:
        change = _PR_CHANGES[action]
    elif action == "edited" and "base" in (payload.get("changes") or {}):
        change = Change.UPDATED  # a new base: judged again by the new base's policies
    else:
        return Ignored(reason=f"pull_request action {action} is not acted on")
    repo, sender = _where(payload)
    return PullRequestEvent(
        forge=FORGE,
        repo=repo,
        number=int(pr["number"]),
        change=change,
        head_sha=str(pr["head"]["sha"]),
        sender=sender,
    )


def _review(payload: dict[str, Any]) -> Event | Ignored:
    action = payload.get("action")
    if action not in _REVIEW_ACTIONS:
        return Ignored(reason=f"pull_request_review action {action} is not acted on")
    repo, sender = _where(payload)
    return ReviewEvent(
        forge=FORGE, repo=repo, number=int(payload["pull_request"]["number"]), sender=sender
    )


def _comment(payload: dict[str, Any]) -> Event | Ignored:
    action = payload.get("action")
    if action != "created":
        return Ignored(reason=f"issue_comment action {action} is not acted on")
    issue = payload["issue"]
    if not issue.get("pull_request"):
        return Ignored(reason="issue_comment on an issue, not a pull request")
    command = parse_command(str(payload["comment"].get("body") or ""))
    if command is None:
        return Ignored(reason="comment is not a /stackgate command")
    repo, sender = _where(payload)
    verb, args = command
    return CommandEvent(
        forge=FORGE,
        repo=repo,
        number=int(issue["number"]),
        sender=sender,
        comment_id=int(payload["comment"]["id"]),
        verb=verb,
        args=args,
    )
