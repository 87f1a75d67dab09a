"""Locks under concurrency on PostgreSQL (READ COMMITTED): no pull request is left waiting for
a lock nobody holds, and two never take one project. The race window is forced, not hoped for."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import event, text
from sqlalchemy.orm import Session, sessionmaker

from app.store import locks

FORGE, REPO = "github", "acme/infra"
READS_LOCKS = re.compile(r"\bFROM locks\b")
Step = Callable[[Session], None]
on_postgresql = pytest.mark.parametrize("sessions", ["postgresql"], indirect=True)


def _someone_blocked(sessions: sessionmaker[Session]) -> bool:
    """Whether a transaction is waiting for a lock another one holds."""
    with sessions() as session:
        return bool(session.scalar(text("SELECT count(*) FROM pg_locks WHERE NOT granted")))


def _interleave(sessions: sessionmaker[Session], first: Step, second: Step) -> None:
    """Run ``first`` in a transaction until it has read the lock table, then run ``second``
    in another one to its commit before ``first`` goes on — unless the store makes ``second``
    wait for ``first`` (then ``first`` goes on, as it must)."""
    read, done = threading.Event(), threading.Event()

    def run_first() -> None:
        with sessions.begin() as session:
            first(session)

    def run_second() -> None:
        assert read.wait(20)
        with sessions.begin() as session:
            second(session)
        done.set()

    threads = threading.Thread(target=run_first), threading.Thread(target=run_second)

    def pause_after_reading(*args: Any) -> None:
        if threading.current_thread() is not threads[0] or read.is_set():
            return
        if READS_LOCKS.search(args[2]):
            read.set()
            deadline = time.monotonic() + 20
            while not done.wait(0.05) and time.monotonic() < deadline:
                if _someone_blocked(sessions):
                    return

    engine = sessions.kw["bind"]
    event.listen(engine, "after_cursor_execute", pause_after_reading)
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
    finally:
        event.remove(engine, "after_cursor_execute", pause_after_reading)
    assert read.is_set() and done.is_set()


@on_postgresql
def test_a_release_during_an_acquire_never_loses_the_waiter(sessions) -> None:
    with sessions.begin() as session:
        locks.acquire(session, FORGE, REPO, 1, {"payments"})
    conflicts: dict[str, int] = {}
    waiting: set[int] = set()
    _interleave(
        sessions,
        # PR 2 reads that #1 holds the project; #1 merges and lets go before PR 2 writes its wait
        lambda session: conflicts.update(locks.acquire(session, FORGE, REPO, 2, {"payments"})[0]),
        lambda session: waiting.update(locks.release(session, FORGE, REPO, 1)[1]),
    )
    # Either PR 2 found the project free and holds it, or PR 1 named it to be planned again.
    assert conflicts == {} or 2 in waiting, (conflicts, waiting)
    with sessions() as session:
        assert locks.held(session, FORGE, REPO) in ({}, {"payments": 2})


@on_postgresql
def test_two_acquires_at_once_give_the_project_to_one_and_the_other_waits(sessions) -> None:
    found: dict[int, dict[str, int]] = {}

    def take(number: int) -> Step:
        return lambda session: found.update(
            {number: locks.acquire(session, FORGE, REPO, number, {"payments"})[0]}
        )

    _interleave(sessions, take(1), take(2))
    (holder,) = [number for number, conflicts in found.items() if not conflicts]
    waiter = 3 - holder
    assert found[waiter] == {"payments": holder}
    with sessions.begin() as session:
        assert locks.release(session, FORGE, REPO, holder) == (["payments"], {waiter})
