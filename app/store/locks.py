"""Project locks: a pull request holds the projects it touches until it merges or closes."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app.jobs.queue import now
from app.store.tables import Lock


def acquire(
    session: Session, forge: str, repo: str, number: int, projects: Collection[str]
) -> dict[str, int]:
    """Take ``projects`` for PR ``number``; returns the ones other PRs hold (then takes none).

    Projects this PR held but no longer touches are let go, so a narrowed PR frees them.
    """
    held = {
        lock.project: lock
        for lock in session.scalars(select(Lock).where(Lock.forge == forge, Lock.repo == repo))
    }
    conflicts = {
        project: held[project].number
        for project in projects
        if project in held and held[project].number != number
    }
    if conflicts:
        return conflicts
    for project, lock in held.items():
        if lock.number == number and project not in projects:
            session.delete(lock)
    for project in projects:
        if project not in held:
            session.add(
                Lock(forge=forge, repo=repo, project=project, number=number, acquired_at=now())
            )
    return {}


def release(session: Session, forge: str, repo: str, number: int) -> list[str]:
    """Let go of every project PR ``number`` holds; returns their names."""
    gone = session.scalars(
        delete(Lock)
        .where(Lock.forge == forge, Lock.repo == repo, Lock.number == number)
        .returning(Lock.project)
    )
    return sorted(gone)
