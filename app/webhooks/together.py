"""Group commit: deliveries that arrive while a transaction is being written wait for the next
one, which records them all.

One commit, and on PostgreSQL one set of round trips and one flush of the log, serves every
delivery that arrived together; each is still answered only after the commit that holds it,
so a 2xx still means the delivery is durable. Nothing waits on a timer: a delivery arriving
alone is written at once, in a transaction of its own.
"""

from __future__ import annotations

import asyncio

from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from app.webhooks.intake import Arrival, Receipt, record_all

MOST = 100  # deliveries in one transaction: a bigger batch only makes its first wait longer


class GroupCommit:
    """Records deliveries for one event loop, one transaction at a time."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions
        self._waiting: list[tuple[Arrival, asyncio.Future[Receipt]]] = []
        self._writer: asyncio.Task[None] | None = None

    async def record(self, arrival: Arrival) -> Receipt:
        """The delivery's receipt, once the transaction holding it has committed."""
        answer: asyncio.Future[Receipt] = asyncio.get_running_loop().create_future()
        self._waiting.append((arrival, answer))
        if self._writer is None:
            self._writer = asyncio.create_task(self._write())
        return await answer

    async def _write(self) -> None:
        """Write what is waiting, batch after batch, until nothing is."""
        batch: list[tuple[Arrival, asyncio.Future[Receipt]]] = []
        try:
            while self._waiting:
                batch, self._waiting = self._waiting[:MOST], self._waiting[MOST:]
                # In a thread: the event loop goes on reading the next deliveries meanwhile.
                outcomes = await run_in_threadpool(
                    record_all, self._sessions, [arrival for arrival, _ in batch]
                )
                for (_, answer), outcome in zip(batch, outcomes, strict=True):
                    if answer.done():  # its sender hung up; the delivery is recorded anyway
                        continue
                    if isinstance(outcome, Exception):
                        answer.set_exception(outcome)
                    else:
                        answer.set_result(outcome)
        except BaseException:  # the loop is going away: nobody is left to answer
            for _, answer in batch + self._waiting:
                answer.cancel()
            self._waiting = []
            raise
        finally:
            self._writer = None
