"""The durable queue: enqueue with supersession, claim in per-PR order, finish, retry, give up.

Jobs of one pull request run one at a time in the order they arrived: a job is claimable only
when no earlier job of its PR is still queued or running. On PostgreSQL the claim skips rows
another worker holds (FOR UPDATE SKIP LOCKED); on SQLite the transaction takes the write lock
up front, which serialises claims.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import Update, and_, bindparam, exists, select, text, update
from sqlalchemy.orm import Session, aliased, sessionmaker

from app.store.tables import Job

QUEUED, RUNNING, DONE, FAILED, SUPERSEDED = "queued", "running", "done", "failed", "superseded"
# A newer job of these kinds makes queued jobs of the listed kinds pointless: a fresh plan
# re-reads approvals and labels, a relabel reads the labels as they are when it runs, a close
# ends the PR. A relabel retires no plan: the plan may be for a base the stored plan never saw.
SUPERSEDES = {
    "plan": {"plan", "review", "relabel"},
    "review": {"review"},
    "relabel": {"relabel"},
    "close": {"plan", "review", "relabel"},
}


def now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Work:
    """A claimed job, detached from its session."""

    id: int
    kind: str
    forge: str
    repo: str
    number: int
    event: dict[str, Any]
    attempts: int


def enqueue(
    session: Session,
    kind: str,
    forge: str,
    repo: str,
    number: int,
    event: dict[str, Any],
    delivery: int | None = None,
) -> Job:
    """Add a job in the caller's transaction, retiring the queued jobs it makes pointless."""
    if kind in SUPERSEDES:
        _one_enqueue_per_pr(session, forge, repo, number)
        retire = {"of_forge": forge, "of_repo": repo, "of_number": number, "finished": now()}
        session.execute(_retiring(kind), retire)
    stamp = now()
    job = Job(
        kind=kind,
        forge=forge,
        repo=repo,
        number=number,
        event=event,
        state=QUEUED,
        attempts=0,
        run_after=stamp,
        created_at=stamp,
        delivery=delivery,
    )
    session.add(job)
    session.flush()
    return job


def _one_enqueue_per_pr(session: Session, forge: str, repo: str, number: int) -> None:
    """On PostgreSQL, hold the pull request's lock until the transaction ends: two jobs of one
    PR enqueued at once would each miss the other's uncommitted row (both staying queued) or
    deadlock on the rows they retire. SQLite's write lock already runs them one at a time."""
    if session.get_bind().dialect.name != "postgresql":
        return
    digest = hashlib.blake2b(f"{forge}\n{repo}\n{number}".encode(), digest_size=8).digest()
    key = int.from_bytes(digest, "big", signed=True)
    session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


@cache
def _retiring(kind: str) -> Update:
    """The UPDATE retiring what a new ``kind`` job supersedes, built once per kind: building
    it was a third of a webhook delivery's time in the store."""
    table = Job.metadata.tables[Job.__tablename__]  # not the class: no ORM bookkeeping
    jobs = table.c
    return (
        update(table)
        .where(
            jobs.forge == bindparam("of_forge"),
            jobs.repo == bindparam("of_repo"),
            jobs.number == bindparam("of_number"),
            jobs.state == QUEUED,
            jobs.kind.in_(sorted(SUPERSEDES[kind])),
        )
        .values(state=SUPERSEDED, finished_at=bindparam("finished"))
    )


def claim(sessions: sessionmaker[Session], worker: str) -> Work | None:
    """The next job whose turn it is, marked running for ``worker``; None when none is due."""
    earlier = aliased(Job)
    blocked = exists().where(
        and_(
            earlier.forge == Job.forge,
            earlier.repo == Job.repo,
            earlier.number == Job.number,
            earlier.id < Job.id,
            earlier.state.in_((QUEUED, RUNNING)),
        )
    )
    query = (
        select(Job)
        .where(Job.state == QUEUED, Job.run_after <= now(), ~blocked)
        .order_by(Job.id)
        .limit(1)
        .with_for_update(skip_locked=True, of=Job)
    )
    with sessions.begin() as session:
        job = session.scalars(query).first()
        if job is None:
            return None
        job.state, job.worker, job.claimed_at = RUNNING, worker, now()
        job.attempts += 1
        return Work(job.id, job.kind, job.forge, job.repo, job.number, job.event, job.attempts)


def finish(sessions: sessionmaker[Session], job_id: int, worker: str) -> None:
    _settle(sessions, job_id, worker, state=DONE, finished_at=now())


def heartbeat(sessions: sessionmaker[Session], job_id: int, worker: str) -> None:
    """Say ``worker`` still runs the job, so a long apply is not taken for orphaned."""
    _settle(sessions, job_id, worker, claimed_at=now())


def retry_later(
    sessions: sessionmaker[Session], job_id: int, worker: str, delay: float, error: str
) -> None:
    _settle(
        sessions,
        job_id,
        worker,
        state=QUEUED,
        run_after=now() + timedelta(seconds=delay),
        last_error=error,
        worker=None,
    )


def give_up(sessions: sessionmaker[Session], job_id: int, worker: str, error: str) -> None:
    _settle(sessions, job_id, worker, state=FAILED, last_error=error, finished_at=now())


def requeue_abandoned(sessions: sessionmaker[Session], older_than: timedelta) -> int:
    """Jobs left running by a worker that died, whose heartbeat (``claimed_at``) stopped:
    queue them again (their flows are idempotent; an apply resumes from its journal)."""
    with sessions.begin() as session:
        result = session.execute(
            update(Job)
            .where(Job.state == RUNNING, Job.claimed_at < now() - older_than)
            .values(state=QUEUED, worker=None)
        )
        return int(result.rowcount)  # type: ignore[attr-defined]


def _settle(sessions: sessionmaker[Session], job_id: int, owner: str, **values: Any) -> None:
    """Settle a job only while ``owner`` still runs it: one presumed dead and requeued
    meanwhile belongs to whoever claimed it next."""
    with sessions.begin() as session:
        session.execute(
            update(Job)
            .where(Job.id == job_id, Job.worker == owner, Job.state == RUNNING)
            .values(**values)
        )
