"""Holding and letting go of a PR's projects, and planning the PRs that were waiting for them."""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.events.codec import encode
from app.events.model import Change, PullRequest, PullRequestEvent
from app.jobs.queue import NewJob, enqueue_all
from app.plan.model import Plan
from app.store import locks

BOT = "stackgate"


def hold(session: Session, pull: PullRequest, plan: Plan, withheld: bool = False) -> dict[str, int]:
    """Hold the projects ``plan`` changes and let go of the rest; none while ``pull`` is a
    draft (it cannot merge, so it keeps nobody waiting) or its locks are ``withheld`` (nobody
    with write access vouched for it yet). Returns the projects other PRs hold."""
    idle = pull.draft or withheld
    wanted = set() if idle else {change.project for change in plan.changes}
    holders, freed = locks.acquire(session, pull.forge, pull.repo, pull.number, wanted)
    replan(session, pull.forge, pull.repo, freed)
    return holders


def let_go(session: Session, forge: str, repo: str, number: int) -> list[str]:
    """Release PR ``number``'s locks and queue a plan for every PR that waited on them."""
    released, waiting = locks.release(session, forge, repo, number)
    replan(session, forge, repo, waiting)
    return released


def replan(session: Session, forge: str, repo: str, waiting: set[int]) -> None:
    """Queue a plan for each PR that waited for a project that is free now, in one call: it
    takes their pull requests' locks in the one order every transaction takes several in, so
    it and a group commit of deliveries for the same PRs never wait on each other in a circle."""
    # The head is read fresh when the job runs; the event only says "plan this again".
    jobs = [
        NewJob("plan", forge, repo, waiter, encode(_again(forge, repo, waiter)))
        for waiter in sorted(waiting)
    ]
    enqueue_all(session, jobs)


def _again(forge: str, repo: str, number: int) -> PullRequestEvent:
    return PullRequestEvent(forge, repo, number, Change.UPDATED, head_sha="", sender=BOT)
