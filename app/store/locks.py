"""Project locks: a pull request holds the projects it touches until it merges or closes.

A PR that finds a project held waits for it; when the holder lets go, the waiters are
returned so the caller can plan them again without anyone pushing. Every read and write
here runs as one serialised step per repository (so per project too): a release can never
miss a waiter whose wait was being written while it looked.
"""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import delete, select, text
from sqlalchemy.orm import Session

from app.jobs.queue import now
from app.store.tables import Lock, LockWait

# The namespace of our advisory locks (the two-key form), apart from the migration's one key.
_LOCKS = 0x6C6F636B


def _one_at_a_time(session: Session, forge: str, repo: str) -> None:
    """Hold the repo's locks until this transaction ends. PostgreSQL at READ COMMITTED would
    let an acquire read "held" while a release commits and looks for waiters before the wait
    is written: nobody would ever plan that PR again. SQLite's BEGIN IMMEDIATE already lets
    one writer in at a time."""
    if session.get_bind().dialect.name == "postgresql":
        key = {"space": _LOCKS, "repo": f"{forge}/{repo}"}
        session.execute(text("SELECT pg_advisory_xact_lock(:space, hashtext(:repo))"), key)


def held(session: Session, forge: str, repo: str) -> dict[str, int]:
    """Which projects of the repo are held now, and by which pull request (settled until
    the transaction ends, so an acquire after it in the same transaction finds the same)."""
    _one_at_a_time(session, forge, repo)
    rows = session.scalars(select(Lock).where(Lock.forge == forge, Lock.repo == repo))
    return {lock.project: lock.number for lock in rows}


def acquire(
    session: Session, forge: str, repo: str, number: int, projects: Collection[str]
) -> tuple[dict[str, int], set[int]]:
    """Take ``projects`` for PR ``number``. Returns the ones other PRs hold (then nothing is
    taken), and the PRs that waited for projects this PR held but no longer touches (a
    narrowed PR lets those go)."""
    _one_at_a_time(session, forge, repo)
    held = {
        lock.project: lock
        for lock in session.scalars(select(Lock).where(Lock.forge == forge, Lock.repo == repo))
    }
    conflicts = {
        project: held[project].number
        for project in projects
        if project in held and held[project].number != number
    }
    _forget_waits(session, forge, repo, number)
    if conflicts:
        for project in conflicts:
            session.add(
                LockWait(forge=forge, repo=repo, project=project, number=number, since=now())
            )
        return conflicts, set()
    dropped = [p for p, lock in held.items() if lock.number == number and p not in projects]
    for project in dropped:
        session.delete(held[project])
    for project in projects:
        if project not in held:
            session.add(
                Lock(forge=forge, repo=repo, project=project, number=number, acquired_at=now())
            )
    return {}, _waiting(session, forge, repo, dropped)


def release(session: Session, forge: str, repo: str, number: int) -> tuple[list[str], set[int]]:
    """Let go of every project PR ``number`` holds (and stop it waiting for others).

    Returns the projects let go and the pull requests that were waiting for them.
    """
    _one_at_a_time(session, forge, repo)
    gone = sorted(
        session.scalars(
            delete(Lock)
            .where(Lock.forge == forge, Lock.repo == repo, Lock.number == number)
            .returning(Lock.project)
        )
    )
    _forget_waits(session, forge, repo, number)
    return gone, _waiting(session, forge, repo, gone)


def _waiting(session: Session, forge: str, repo: str, projects: list[str]) -> set[int]:
    if not projects:
        return set()
    found = select(LockWait.number).where(
        LockWait.forge == forge, LockWait.repo == repo, LockWait.project.in_(projects)
    )
    return set(session.scalars(found))


def _forget_waits(session: Session, forge: str, repo: str, number: int) -> None:
    session.execute(
        delete(LockWait).where(
            LockWait.forge == forge, LockWait.repo == repo, LockWait.number == number
        )
    )
