"""Locks: one holder per project, narrowed PRs let go, waiters are named when a lock goes."""

from __future__ import annotations

from sqlalchemy import select

from app.store import locks
from app.store.tables import Lock, LockWait


def _held(sessions) -> dict[str, int]:
    with sessions() as session:
        return {lock.project: lock.number for lock in session.scalars(select(Lock))}


def _take(sessions, number: int, projects: set[str]) -> dict[str, int]:
    with sessions.begin() as session:
        conflicts, _freed = locks.acquire(session, "github", "acme/infra", number, projects)
        return conflicts


def test_a_held_project_is_refused_and_nothing_is_taken(sessions) -> None:
    assert _take(sessions, 1, {"payments"}) == {}
    assert _take(sessions, 2, {"payments", "search"}) == {"payments": 1}
    assert _held(sessions) == {"payments": 1}  # not even the free "search"


def test_a_narrowed_pr_lets_go_of_what_it_no_longer_touches(sessions) -> None:
    _take(sessions, 1, {"payments", "search"})
    assert _take(sessions, 1, {"search"}) == {}
    assert _held(sessions) == {"search": 1}


def test_the_same_project_in_another_repo_or_forge_is_another_lock(sessions) -> None:
    _take(sessions, 1, {"payments"})
    with sessions.begin() as session:
        assert locks.acquire(session, "gitlab", "acme/infra", 1, {"payments"}) == ({}, set())
        assert locks.acquire(session, "github", "acme/other", 2, {"payments"}) == ({}, set())


def test_release_names_the_waiters_and_forgets_the_releasers_waits(sessions) -> None:
    _take(sessions, 1, {"payments"})
    _take(sessions, 2, {"payments"})
    _take(sessions, 3, {"payments"})
    with sessions.begin() as session:
        released, waiting = locks.release(session, "github", "acme/infra", 1)
    assert (released, waiting) == (["payments"], {2, 3})
    assert _take(sessions, 2, {"payments"}) == {}
    with sessions() as session:
        assert [(w.project, w.number) for w in session.scalars(select(LockWait))] == [
            ("payments", 3)
        ]
    with sessions.begin() as session:  # a waiter that closes stops waiting
        assert locks.release(session, "github", "acme/infra", 3) == ([], set())
    with sessions() as session:
        assert list(session.scalars(select(LockWait))) == []


def test_a_narrowed_pr_names_the_waiters_of_what_it_let_go(sessions) -> None:
    _take(sessions, 1, {"payments", "search"})
    _take(sessions, 2, {"search"})
    with sessions.begin() as session:
        assert locks.acquire(session, "github", "acme/infra", 1, {"payments"}) == ({}, {2})
