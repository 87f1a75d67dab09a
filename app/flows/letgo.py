"""Letting go of a PR's projects, and planning the PRs that were waiting for them."""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.events.codec import encode
from app.events.model import Change, PullRequestEvent
from app.jobs.queue import enqueue
from app.store import locks

BOT = "stackgate"


def let_go(session: Session, forge: str, repo: str, number: int) -> list[str]:
    """Release PR ``number``'s locks and queue a plan for every PR that waited on them."""
    released, waiting = locks.release(session, forge, repo, number)
    replan(session, forge, repo, waiting)
    return released


def replan(session: Session, forge: str, repo: str, waiting: set[int]) -> None:
    """Queue a plan for each PR that waited for a project that is free now."""
    for waiter in sorted(waiting):
        # The head is read fresh when the job runs; the event only says "plan this again".
        event = PullRequestEvent(forge, repo, waiter, Change.UPDATED, head_sha="", sender=BOT)
        enqueue(session, "plan", forge, repo, waiter, encode(event))
