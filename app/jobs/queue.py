"""The durable queue: enqueue with supersession, claim in per-PR order, finish, retry, give up.

Jobs of one pull request run one at a time in the order they arrived: a job is claimable only
when no earlier job of its PR is still queued or running. On PostgreSQL the claim skips rows
another worker holds (FOR UPDATE SKIP LOCKED); on SQLite the transaction takes the write lock
up front, which serialises claims.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import Update, and_, bindparam, exists, insert, or_, select, text, update
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


@dataclass(frozen=True)
class NewJob:
    """A job to add: what to do, for which pull request, and the delivery that asked for it."""

    kind: str
    forge: str
    repo: str
    number: int
    event: dict[str, Any]
    delivery: int | None = None

    @property
    def pull(self) -> tuple[str, str, int]:
        return (self.forge, self.repo, self.number)


def enqueue(
    session: Session,
    kind: str,
    forge: str,
    repo: str,
    number: int,
    event: dict[str, Any],
    delivery: int | None = None,
) -> int:
    """Add a job in the caller's transaction, retiring the queued jobs it makes pointless;
    the new job's id."""
    return enqueue_all(session, [NewJob(kind, forge, repo, number, event, delivery)])[0]


def enqueue_all(session: Session, jobs: Sequence[NewJob]) -> list[int]:
    """Add ``jobs`` in the caller's transaction as if enqueued one after another, in one
    statement each for the retiring and the adding: each retires the queued jobs of its pull
    request it makes pointless, stored or earlier in ``jobs``. Their ids, in order."""
    if not jobs:
        return []
    retire: dict[tuple[str, str, int], set[str]] = {}
    for job in jobs:
        if job.kind in SUPERSEDES:
            retire.setdefault(job.pull, set()).update(SUPERSEDES[job.kind])
    _one_enqueue_per_pr(session, retire)
    stamp = now()
    by_kinds: dict[frozenset[str], list[dict[str, Any]]] = {}
    for (forge, repo, number), retired in retire.items():
        pull = {"of_forge": forge, "of_repo": repo, "of_number": number, "finished": stamp}
        by_kinds.setdefault(frozenset(retired), []).append(pull)
    for kinds, pulls in by_kinds.items():  # every stored job is older than all of ``jobs``
        session.execute(_retiring(kinds), pulls)
    added = session.execute(_ADD, _rows(jobs, stamp))
    return list(added.scalars())


def _rows(jobs: Sequence[NewJob], stamp: datetime) -> list[dict[str, Any]]:
    """The new rows, those retired by a later one of ``jobs`` already superseded."""
    rows: list[dict[str, Any]] = []
    waiting: dict[tuple[str, str, int], list[dict[str, Any]]] = {}  # queued rows of each PR
    for job in jobs:
        earlier = waiting.setdefault(job.pull, [])
        retired = SUPERSEDES.get(job.kind, set())
        for row in earlier:
            if row["kind"] in retired:
                row.update(state=SUPERSEDED, finished_at=stamp)
        earlier[:] = [row for row in earlier if row["state"] == QUEUED]
        row = {
            "kind": job.kind,
            "forge": job.forge,
            "repo": job.repo,
            "number": job.number,
            "event": job.event,
            "state": QUEUED,
            "attempts": 0,
            "run_after": stamp,
            "created_at": stamp,
            "finished_at": None,
            "delivery": job.delivery,
        }
        earlier.append(row)
        rows.append(row)
    return rows


def _one_enqueue_per_pr(session: Session, pulls: Iterable[tuple[str, str, int]]) -> None:
    """On PostgreSQL, hold the pull requests' locks until the transaction ends: two jobs of one
    PR enqueued at once would each miss the other's uncommitted row (both staying queued) or
    deadlock on the rows they retire. Taken in the order of their keys, so two transactions
    locking several never wait on each other in a circle. SQLite's write lock already runs
    them one at a time."""
    if session.get_bind().dialect.name != "postgresql":
        return
    keys = sorted(_lock_key(pull) for pull in pulls)
    if keys:
        session.execute(_LOCK_PULLS, {"keys": keys})


def _lock_key(pull: tuple[str, str, int]) -> int:
    forge, repo, number = pull
    digest = hashlib.blake2b(f"{forge}\n{repo}\n{number}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


# unnest keeps the array's order, so the locks are taken in the order of the sorted keys.
_LOCK_PULLS = text("SELECT pg_advisory_xact_lock(k) FROM unnest(CAST(:keys AS bigint[])) AS k")
_JOBS = Job.metadata.tables[Job.__tablename__]  # the table, not the class: no ORM bookkeeping
# The ids in the order of the rows, given in that order: the per-PR order the claim keeps.
_ADD = insert(_JOBS).returning(_JOBS.c.id, sort_by_parameter_order=True)


@cache
def _retiring(kinds: frozenset[str]) -> Update:
    """The UPDATE retiring queued jobs of ``kinds``, built once per set of kinds: building
    it was a third of a webhook delivery's time in the store."""
    jobs = _JOBS.c
    return (
        update(_JOBS)
        .where(
            jobs.forge == bindparam("of_forge"),
            jobs.repo == bindparam("of_repo"),
            jobs.number == bindparam("of_number"),
            jobs.state == QUEUED,
            # Not IN: its expanding list cannot be sent once for many pull requests.
            or_(*(jobs.kind == kind for kind in sorted(kinds))),
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
