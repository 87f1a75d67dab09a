"""Record verified deliveries and their jobs, many in one transaction; a redelivery changes
nothing."""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from datetime import datetime
from functools import cache

from sqlalchemy import Insert
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

from app.events.codec import encode, job_kind
from app.events.model import Event, Ignored
from app.jobs.queue import NewJob, enqueue_all, now
from app.store.tables import Delivery

log = logging.getLogger("stackgate.edge")

DELIVERIES = Delivery.metadata.tables[Delivery.__tablename__]

ALREADY_RECEIVED = "delivery already received"
# SQLite has one writer at a time; deliveries racing for it in the driver's busy handler
# sleep in steps of up to 100 ms (the edge's p99). Here they queue on a lock instead and
# take the write lock the moment it is free. Other processes still meet the busy handler.
_SQLITE_WRITER = threading.Lock()


@dataclass(frozen=True)
class Arrival:
    """A verified delivery, parsed, waiting to be recorded."""

    forge: str
    delivery_id: str
    event_name: str
    parsed: Event | Ignored

    @property
    def key(self) -> tuple[str, str]:
        return (self.forge, self.delivery_id)


@dataclass(frozen=True)
class Receipt:
    status: int  # 202 queued, 200 ignored or already seen
    body: dict[str, object]

    @property
    def outcome(self) -> str:
        """queued, ignored or duplicate: the metric's word for it."""
        if self.status == 202:
            return "queued"
        return "duplicate" if self.body.get("ignored") == ALREADY_RECEIVED else "ignored"


def record(
    sessions: sessionmaker[Session],
    forge: str,
    delivery_id: str,
    event_name: str,
    parsed: Event | Ignored,
) -> Receipt:
    """One delivery in a transaction of its own."""
    (outcome,) = record_all(sessions, [Arrival(forge, delivery_id, event_name, parsed)])
    if isinstance(outcome, Exception):
        raise outcome
    return outcome


def record_all(
    sessions: sessionmaker[Session], arrivals: Sequence[Arrival]
) -> list[Receipt | Exception]:
    """Each arrival's receipt, all committed in one transaction, or what kept it from the
    store. One the store refuses fails alone: then each is tried again in its own."""
    try:
        return [*_record_together(sessions, arrivals)]
    except Exception as problem:
        if len(arrivals) == 1:
            return [problem]
        log.warning("%d deliveries recorded one by one after: %r", len(arrivals), problem)
        return [record_all(sessions, [arrival])[0] for arrival in arrivals]


def _record_together(sessions: sessionmaker[Session], arrivals: Sequence[Arrival]) -> list[Receipt]:
    first: dict[tuple[str, str], int] = {}  # a delivery sent twice in one batch: the first
    for place, arrival in enumerate(arrivals):
        first.setdefault(arrival.key, place)
    received = now()
    # Sorted: two replicas inserting the same deliveries wait on each other in one order.
    rows = [_delivery_row(arrivals[first[key]], received) for key in sorted(first)]
    with _writing(sessions), sessions.begin() as session:
        # No lookup first: the unique key skips a delivery seen before (or racing in on
        # another connection right now, once that one commits).
        inserted = session.execute(_new_deliveries(session.get_bind().dialect.name), rows)
        stored = {(forge, delivery_id): row_id for row_id, forge, delivery_id in inserted}
        new = (arrivals[place] for place in first.values() if arrivals[place].key in stored)
        queued = [arrival for arrival in new if not isinstance(arrival.parsed, Ignored)]
        jobs = [_job(arrival, stored[arrival.key]) for arrival in queued]
        added = enqueue_all(session, jobs)
    job_ids = {arrival.key: job for arrival, job in zip(queued, added, strict=True)}
    receipts = []
    for place, arrival in enumerate(arrivals):
        said = {"delivery": arrival.delivery_id}
        if first[arrival.key] != place or arrival.key not in stored:
            receipts.append(Receipt(200, {"ignored": ALREADY_RECEIVED, **said}))
        elif isinstance(arrival.parsed, Ignored):
            receipts.append(Receipt(200, {"ignored": arrival.parsed.reason, **said}))
        else:
            receipts.append(Receipt(202, {"queued": job_ids[arrival.key], **said}))
    return receipts


def _delivery_row(arrival: Arrival, received: datetime) -> dict[str, object]:
    parsed = arrival.parsed
    outcome = parsed.reason if isinstance(parsed, Ignored) else "queued"
    return {
        "forge": arrival.forge,
        "delivery_id": arrival.delivery_id,
        "event": arrival.event_name[:64],
        "outcome": outcome[:255],
        "received_at": received,
    }


def _job(arrival: Arrival, delivery: int) -> NewJob:
    event = arrival.parsed
    assert not isinstance(event, Ignored)
    return NewJob(job_kind(event), event.forge, event.repo, event.number, encode(event), delivery)


@cache
def _new_deliveries(dialect: str) -> Insert:
    """INSERT … ON CONFLICT DO NOTHING RETURNING: a plain insert, not the ORM's unit of work,
    as nothing reads the rows back but their ids; one statement for all rows."""
    on = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return (
        on(DELIVERIES)
        .on_conflict_do_nothing(index_elements=["forge", "delivery_id"])
        .returning(DELIVERIES.c.id, DELIVERIES.c.forge, DELIVERIES.c.delivery_id)
    )


def _writing(sessions: sessionmaker[Session]) -> AbstractContextManager[object]:
    """The in-process writer's turn on SQLite; nothing to wait for on PostgreSQL."""
    bind = sessions.kw["bind"]
    return _SQLITE_WRITER if bind.dialect.name == "sqlite" else nullcontext()
