"""Webhook deliveries as GitHub sends them: recorded payloads refilled from the fake's state."""

from __future__ import annotations

import json
import uuid
from typing import Any

from tests.fakes.base import Delivery
from tests.fakes.github_json import Shapes
from tests.fakes.github_openapi import LEDGER, check_webhook
from tests.fakes.github_state import Comment, Pull, Repo, Review

HOOKSHOT = "GitHub-Hookshot/044aadd"


def pull_request(
    shapes: Shapes, repo: Repo, pull: Pull, action: str, sender: str, **extra: Any
) -> Delivery:
    """``pull_request`` with ``action``; ``extra`` adds top-level fields (before/after)."""
    payload = shapes.payload(f"pull_request.{action}", repo.full_name)
    payload.update(number=pull.number, pull_request=shapes.pull(repo, pull), **extra)
    return _delivery("pull_request", shapes, repo, payload, sender)


def label(shapes: Shapes, repo: Repo, pull: Pull, name: str, sender: str, on: bool) -> Delivery:
    """``labeled`` or ``unlabeled``, naming the label as the recorded example does."""
    action = "labeled" if on else "unlabeled"
    shaped = shapes.payload(f"pull_request.{action}", repo.full_name)["label"]
    url = f"{shapes.base}/repos/{repo.full_name}/labels/{name}"
    shaped.update(name=name, url=url, default=False, description=None)
    return pull_request(shapes, repo, pull, action, sender, label=shaped)


def review(shapes: Shapes, repo: Repo, pull: Pull, made: Review) -> Delivery:
    payload = shapes.payload("pull_request_review.submitted", repo.full_name)
    payload["pull_request"] = shapes.pull(repo, pull)
    # webhooks spell review states in lower case, the REST API in upper case
    payload["review"] = {**shapes.review(repo, pull, made), "state": made.state.lower()}
    return _delivery("pull_request_review", shapes, repo, payload, made.user)


def comment(shapes: Shapes, repo: Repo, pull: Pull, made: Comment) -> Delivery:
    """``issue_comment`` created on a PR: the recorded one is on a plain issue, so add the link."""
    payload = shapes.payload("issue_comment.created", repo.full_name)
    shaped = shapes.pull(repo, pull)
    issue = shapes.issue(repo, None, pull)
    payload["issue"].update(
        labels=issue["labels"],
        active_lock_reason=None,
        reactions=issue["reactions"],
        number=pull.number,
        title=pull.title,
        user=shaped["user"],
        state=pull.state,
        url=shaped["issue_url"],
        html_url=shaped["html_url"],
        pull_request={
            "url": shaped["url"],
            "html_url": shaped["html_url"],
            "diff_url": shaped["diff_url"],
            "patch_url": shaped["patch_url"],
            "merged_at": None,
        },
    )
    payload["comment"] = shapes.comment(repo, made)
    return _delivery("issue_comment", shapes, repo, payload, made.author)


def push(shapes: Shapes) -> Delivery:
    """A recorded push (stackgate plans pull requests, not pushes), with the repository fields
    GitHub has documented since it was recorded."""
    payload = shapes.payload("push", "acme/infra")
    payload["repository"].update(has_discussions=False, topics=[], visibility="public")
    return wrap("push", payload, repo_id=186853002)


def _delivery(
    event: str, shapes: Shapes, repo: Repo, payload: dict[str, Any], sender: str
) -> Delivery:
    payload.update(repository=shapes.repo(repo), sender=shapes.user(sender))
    return wrap(event, payload, repo.id)


def wrap(event: str, payload: dict[str, Any], repo_id: int) -> Delivery:
    LEDGER.record(check_webhook(event, payload))  # as GitHub documents the delivery
    headers = {
        "X-GitHub-Event": event,
        "X-GitHub-Delivery": str(uuid.uuid4()),
        "X-GitHub-Hook-ID": "109948940",
        "X-GitHub-Hook-Installation-Target-Type": "repository",
        "X-GitHub-Hook-Installation-Target-ID": str(repo_id),
        "Content-Type": "application/json",
        "User-Agent": HOOKSHOT,
    }
    return Delivery("/webhooks/github", headers, json.dumps(payload).encode())
