"""Turn a GitLab webhook delivery into a forge-neutral event, or say why it is ignored.

Pure functions over the headers (keys lower-case) and the decoded JSON body; no network.
"""

from __future__ import annotations

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
from app.forges.payload import LARGEST_ID, LONGEST_TEXT, mapping, number, optional_text, text

FORGE = "gitlab"
MERGE_REQUEST_HOOK = "Merge Request Hook"
NOTE_HOOK = "Note Hook"

_CHANGES = {
    "open": Change.OPENED,
    "reopen": Change.OPENED,
    "close": Change.CLOSED,
    "merge": Change.MERGED,
}
_REVIEWS = frozenset({"approved", "unapproved", "approval", "unapproval"})


def verify(secret: str, headers: Mapping[str, str]) -> bool:
    """Whether ``X-Gitlab-Token`` carries the configured secret (GitLab sends it verbatim).

    An unset secret verifies nothing, so a forgotten setting cannot open the door.
    """
    token = headers.get("x-gitlab-token")
    if not secret or token is None:
        return False
    return hmac.compare_digest(token.encode(), secret.encode())


def delivery_id(headers: Mapping[str, str]) -> str | None:
    """The key to drop repeated deliveries of one event by.

    ``Idempotency-Key`` is made once per event and kept when GitLab sends it again, so it
    is the right key; older GitLab lacks it, and there ``X-Gitlab-Event-UUID`` (one per
    triggering event) is the closest. ``X-Gitlab-Webhook-UUID`` changes on every request,
    so it cannot tell a resend from a new event.
    """
    return headers.get("idempotency-key") or headers.get("x-gitlab-event-uuid") or None


def parse(headers: Mapping[str, str], payload: dict[str, Any]) -> Event | Ignored:
    """The event a delivery means for stackgate; Ignored (with why) for everything else;
    Malformed (saying which field) when an event we act on lacks what it needs."""
    kind = headers.get("x-gitlab-event", "")
    if kind == MERGE_REQUEST_HOOK:
        return _merge_request(payload)
    if kind == NOTE_HOOK:
        return _note(payload)
    return Ignored(f"GitLab event {kind or '(none)'!r} is not one stackgate acts on")


def _merge_request(payload: dict[str, Any]) -> Event | Ignored:
    attrs = mapping(payload, "object_attributes")
    action = text(payload, "object_attributes", "action")
    repo = text(payload, "project", "path_with_namespace")
    iid = number(payload, "object_attributes", "iid")
    sender = text(payload, "user", "username")
    if action in _REVIEWS:
        return ReviewEvent(FORGE, repo, iid, sender)
    change = _CHANGES.get(action)
    if action == "update":
        change = _update_change(payload, attrs)
        if change is None:
            return Ignored(
                "merge request update without new commits, draft change, new base or labels"
            )
    if change is None:
        return Ignored(f"merge request action {action!r} is not one stackgate acts on")
    head = text(payload, "object_attributes", "last_commit", "id")
    return PullRequestEvent(FORGE, repo, iid, change, head, sender)


def _update_change(payload: dict[str, Any], attrs: dict[str, Any]) -> Change | None:
    """New commits (GitLab sets ``oldrev`` only for code changes), a draft flip, a new base;
    else new labels, which re-judge the stored plan (the others above re-plan, labels and all).
    Bookkeeping GitLab adds to every edit (``updated_at``, ``updated_by_id``…) means nothing."""
    if attrs.get("oldrev"):
        return Change.UPDATED
    changes = payload.get("changes")
    if not isinstance(changes, dict):
        return None
    for field in ("draft", "work_in_progress"):  # older GitLab only reports the latter
        flip = changes.get(field)
        if isinstance(flip, dict) and flip.get("previous") is True and flip.get("current") is False:
            return Change.READY
        if isinstance(flip, dict) and flip.get("previous") is False and flip.get("current") is True:
            return Change.UPDATED  # back to draft: the approval gate goes pending
    if "target_branch" in changes:  # a new base: judged again by the new base's policies
        return Change.UPDATED
    if "labels" in changes:  # policy input (allow-destroy)
        return Change.RELABELED
    return None


def _note(payload: dict[str, Any]) -> Event | Ignored:
    attrs = mapping(payload, "object_attributes")
    noteable = optional_text(payload, "object_attributes", "noteable_type")
    if noteable != "MergeRequest":
        return Ignored(f"comment on a {noteable or 'unknown thing'}, not a merge request")
    if attrs.get("system") is True:
        return Ignored("system note")
    if attrs.get("action") == "update":  # re-running a command because its typo got fixed
        return Ignored("edited comment; only new comments carry commands")
    command = parse_command(text(payload, "object_attributes", "note", longest=LONGEST_TEXT))
    if command is None:
        return Ignored("comment is not a /stackgate command")
    verb, args = command
    return CommandEvent(
        forge=FORGE,
        repo=text(payload, "project", "path_with_namespace"),
        number=number(payload, "merge_request", "iid"),
        sender=text(payload, "user", "username"),
        comment_id=number(payload, "object_attributes", "id", largest=LARGEST_ID),
        verb=verb,
        args=args,
    )
