"""Events to and from the JSON a job row keeps, so the worker sees the value the edge made."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from app.events.model import (
    Change,
    CommandEvent,
    MergeGroupEvent,
    PullRequestEvent,
    PushEvent,
    Queued,
    ReconcileEvent,
    ReviewEvent,
)

_Type = (
    type[PullRequestEvent]
    | type[ReviewEvent]
    | type[CommandEvent]
    | type[ReconcileEvent]
    | type[MergeGroupEvent]
    | type[PushEvent]
)
_TYPES: dict[str, _Type] = {
    "pull_request": PullRequestEvent,
    "review": ReviewEvent,
    "command": CommandEvent,
    "reconcile": ReconcileEvent,
    "merge_group": MergeGroupEvent,
    "push": PushEvent,
}


def encode(event: Queued) -> dict[str, Any]:
    kind = next(name for name, cls in _TYPES.items() if isinstance(event, cls))
    return {"type": kind, **asdict(event)}


def decode(document: dict[str, Any]) -> Queued:
    body = dict(document)
    cls = _TYPES[body.pop("type")]
    if cls is PullRequestEvent:
        body["change"] = Change(body["change"])
    if cls is CommandEvent:
        body["args"] = tuple(body.get("args", ()))
    return cls(**body)


def job_kind(event: Queued) -> str:
    """The queue's word for the work: what it supersedes and what supersedes it."""
    if isinstance(event, PullRequestEvent):
        if event.change is Change.RELABELED:
            # Its own kind, superseding only older relabels: a queued plan may be for a new
            # base or a draft flip on the same head, which re-judging the stored plan would miss.
            return "relabel"
        return "close" if event.change in (Change.CLOSED, Change.MERGED) else "plan"
    if isinstance(event, ReviewEvent):
        return "review"
    if isinstance(event, ReconcileEvent):
        return "reconcile"
    if isinstance(event, MergeGroupEvent):
        return "merge-group"
    if isinstance(event, PushEvent):
        return "land-group"
    # Commands supersede nothing: who sent them is checked only when they run, and a refused
    # command must not cancel work that someone entitled queued.
    return "command"
