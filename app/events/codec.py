"""Events to and from the JSON a job row keeps, so the worker sees the value the edge made."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from app.events.model import Change, CommandEvent, Event, PullRequestEvent, ReviewEvent

_TYPES: dict[str, type[PullRequestEvent] | type[ReviewEvent] | type[CommandEvent]] = {
    "pull_request": PullRequestEvent,
    "review": ReviewEvent,
    "command": CommandEvent,
}


def encode(event: Event) -> dict[str, Any]:
    kind = next(name for name, cls in _TYPES.items() if isinstance(event, cls))
    return {"type": kind, **asdict(event)}


def decode(document: dict[str, Any]) -> Event:
    body = dict(document)
    cls = _TYPES[body.pop("type")]
    if cls is PullRequestEvent:
        body["change"] = Change(body["change"])
    if cls is CommandEvent:
        body["args"] = tuple(body.get("args", ()))
    return cls(**body)


def job_kind(event: Event) -> str:
    """The queue's word for the work: what it supersedes and what supersedes it."""
    if isinstance(event, PullRequestEvent):
        return "close" if event.change in (Change.CLOSED, Change.MERGED) else "plan"
    if isinstance(event, ReviewEvent):
        return "review"
    # Commands supersede nothing: who sent them is checked only when they run, and a refused
    # command must not cancel work that someone entitled queued.
    return "command"
