"""Run queued jobs on threads: in the service process by default, or alone (`stackgate worker`).

A job that fails for a passing reason (an outage, a rate limit) is queued again with growing
delay, and ``on_retry`` may say so; one that keeps failing, or fails for good, is handed to
``on_failure`` to tell people.
"""

from __future__ import annotations

import logging
import random
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from app.jobs import queue
from app.jobs.queue import Work
from app.logs import about

log = logging.getLogger(__name__)
# A running job's worker beats every sixth of the lease; a job whose beat stopped for the
# whole lease is presumed orphaned by a dead worker and queued again, however long it runs.
LEASE = timedelta(minutes=3)


@dataclass(frozen=True)
class Outcome:
    """How a failure should be treated: retried (after ``delay`` if known) or given up on."""

    transient: bool
    message: str  # safe to show on the pull request
    delay: float | None = None
    # whether to tell the PR while waiting for a retry: not when the forge itself is failing
    tell_retry: bool = True


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 5
    base: float = 2.0  # seconds before the first retry; doubles after each
    cap: float = 300.0

    def delay(self, attempt: int, hint: float | None) -> float:
        if hint is not None:
            return min(hint, self.cap)
        backoff: float = self.base * 2.0 ** (attempt - 1)
        return min(backoff, self.cap) * random.uniform(0.8, 1.2)


# The driver's words for "no connection" (psycopg, sqlite3): the DB-API names both share.
_OUTAGES = {"OperationalError", "InterfaceError"}
STORE_DOWN = Outcome(True, "The database did not answer; the job is tried again.")


def store_outage(error: BaseException) -> bool:
    """The database went away (restarted, failed over, network): it passes, and the pool
    (pre-ping) reconnects by itself; anything else the database says is not an outage."""
    if not isinstance(error, DBAPIError):
        return False
    return error.connection_invalidated or type(error.orig).__name__ in _OUTAGES


Handler = Callable[[Work], None]
Classifier = Callable[[BaseException], Outcome]
Reporter = Callable[[Work, str], None]


class Worker:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        handle: Handler,
        classify: Classifier,
        on_failure: Reporter,
        threads: int = 4,
        poll: float = 0.5,
        retry: RetryPolicy | None = None,
        tick: Callable[[], object] | None = None,
        lease: timedelta = LEASE,
        on_retry: Reporter | None = None,
    ) -> None:
        self.sessions, self.handle, self.classify = sessions, handle, classify
        self.on_failure, self.poll, self.retry = on_failure, poll, retry or RetryPolicy()
        self.on_retry = on_retry
        self.tick = tick  # run with every sweep: the reconcile scheduler
        self.lease = lease
        self.beat_every = lease.total_seconds() / 6
        self.sweep_every = min(60.0, lease.total_seconds() / 3)
        self.name = f"{socket.gethostname()}:{id(self):x}"
        self.wake = threading.Event()
        self.stopping = threading.Event()
        self.threads = [
            threading.Thread(target=self._loop, name=f"stackgate-worker-{n}", daemon=True)
            for n in range(threads)
        ]

    def start(self) -> None:
        for thread in self.threads:
            thread.start()

    def stop(self) -> None:
        self.stopping.set()
        self.wake.set()
        for thread in self.threads:
            thread.join(timeout=30)

    def run_once(self) -> bool:
        """Run one due job, if any; True when one ran (tests and the drain loop use this)."""
        work = queue.claim(self.sessions, self.name)
        if work is None:
            return False
        done = threading.Event()
        beat = threading.Thread(target=self._beat, args=(work.id, done), daemon=True)
        beat.start()
        context = {"repo": work.repo, "pr": work.number, "attempt": work.attempts}
        with about(job=work.id, kind=work.kind, forge=work.forge, **context):
            started = time.monotonic()
            try:
                self.handle(work)
            except Exception as error:  # every failure is settled; none may kill the worker
                self._settle_failure(work, error)
            else:
                self._patiently(queue.finish, work.id)
                log.info("job done in %.2fs", time.monotonic() - started)
            finally:
                done.set()
        return True

    def _beat(self, job_id: int, done: threading.Event) -> None:
        while not done.wait(self.beat_every):
            try:
                queue.heartbeat(self.sessions, job_id, self.name)
            except Exception:  # a missed beat is survivable; three minutes of them are not
                log.warning("could not record the heartbeat of job %s", job_id, exc_info=True)

    def _loop(self) -> None:
        next_sweep = 0.0
        while not self.stopping.is_set():
            try:
                if time.monotonic() >= next_sweep:  # every worker sweeps now and then
                    queue.requeue_abandoned(self.sessions, self.lease)
                    if self.tick is not None:
                        self.tick()
                    next_sweep = time.monotonic() + self.sweep_every
                ran = self.run_once()
            except Exception:  # the store itself failed: wait and try again
                log.exception("worker could not reach the store")
                ran = False
            if not ran:
                self.wake.wait(self.poll)
                self.wake.clear()

    def _patiently(self, settle: Callable[..., None], job_id: int, *args: object) -> None:
        """Settle a job even across a store outage: it is written once the store is back
        (within the lease: after it the job may be someone else's), so a job that ran is
        not taken for orphaned and run again."""
        deadline = time.monotonic() + self.lease.total_seconds()
        while True:
            try:
                settle(self.sessions, job_id, self.name, *args)
                return
            except DBAPIError as error:
                if not store_outage(error) or time.monotonic() >= deadline:
                    raise
                log.warning("the store is away; settling job %s when it is back", job_id)
                time.sleep(min(self.poll, 1.0) or 0.1)

    def _settle_failure(self, work: Work, error: Exception) -> None:
        outcome = STORE_DOWN if store_outage(error) else self.classify(error)
        if outcome.transient and work.attempts < self.retry.attempts:
            delay = self.retry.delay(work.attempts, outcome.delay)
            log.warning(
                "job %s attempt %s failed, retrying in %.1fs: %s",
                work.id,
                work.attempts,
                delay,
                outcome.message,
            )
            if self.on_retry is not None and outcome.tell_retry:  # told while still ours
                self._tell(self.on_retry, work, f"{outcome.message} Retrying in {delay:.0f}s.")
            self._patiently(queue.retry_later, work.id, delay, outcome.message)
            return
        if not outcome.transient:
            log.error("job %s failed: %s", work.id, outcome.message, exc_info=error)
        self._patiently(queue.give_up, work.id, outcome.message)
        self._tell(self.on_failure, work, outcome.message)

    @staticmethod
    def _tell(report: Reporter, work: Work, message: str) -> None:
        try:
            report(work, message)
        except Exception:  # the forge may be what is down; the job row keeps the reason
            log.exception("could not report on job %s", work.id)
