"""Deliveries of one pull request arriving together are all recorded: none fails on another's
locks, and each newer plan retires the one before it, so one is left queued."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from app.events.model import Change, PullRequestEvent
from app.jobs.queue import QUEUED
from app.store.tables import Delivery, Job
from app.webhooks.intake import record

DELIVERIES = 60


def _event(sha: str) -> PullRequestEvent:
    return PullRequestEvent(
        forge="github",
        repo="acme/infra",
        number=7,
        change=Change.UPDATED,
        head_sha=sha,
        sender="alice",
    )


def test_deliveries_of_one_pull_request_at_once_are_all_recorded(
    sessions: sessionmaker[Session],
) -> None:
    def deliver(n: int) -> int:
        return record(sessions, "github", f"d-{n}", "pull_request", _event(f"{n:040x}")).status

    with ThreadPoolExecutor(20) as pool:
        statuses = list(pool.map(deliver, range(DELIVERIES)))
    assert statuses == [202] * DELIVERIES
    with sessions() as session:
        assert len(session.scalars(select(Delivery)).all()) == DELIVERIES
        queued = session.scalars(select(Job).where(Job.state == QUEUED)).all()
    assert len(queued) == 1
