"""Record a verified delivery and its job in one transaction; a redelivery changes nothing."""

from __future__ import annotations

import threading
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass

from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from app.events.codec import encode, job_kind
from app.events.model import Event, Ignored
from app.jobs.queue import enqueue, now
from app.store.tables import Delivery

DELIVERIES = Delivery.metadata.tables[Delivery.__tablename__]

ALREADY_RECEIVED = "delivery already received"
# SQLite has one writer at a time; deliveries racing for it in the driver's busy handler
# sleep in steps of up to 100 ms (the edge's p99). Here they queue on a lock instead and
# take the write lock the moment it is free. Other processes still meet the busy handler.
_SQLITE_WRITER = threading.Lock()
_INSERT_DELIVERY = insert(DELIVERIES).returning(DELIVERIES.c.id)  # Core: no ORM bookkeeping


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
    outcome = parsed.reason if isinstance(parsed, Ignored) else "queued"
    row = {
        "forge": forge,
        "delivery_id": delivery_id,
        "event": event_name[:64],
        "outcome": outcome[:255],
        "received_at": now(),
    }
    try:
        with _writing(sessions), sessions.begin() as session:
            # No lookup first: the unique key turns a redelivery into an IntegrityError,
            # one round trip fewer on the hot path; a plain insert, not the ORM's unit of
            # work, as nothing reads the row back.
            delivery = session.execute(_INSERT_DELIVERY, row).scalar_one()
            if isinstance(parsed, Ignored):
                return Receipt(200, {"ignored": parsed.reason, "delivery": delivery_id})
            job = enqueue(
                session,
                job_kind(parsed),
                parsed.forge,
                parsed.repo,
                parsed.number,
                encode(parsed),
                delivery,
            )
            return Receipt(202, {"queued": job.id, "delivery": delivery_id})
    except IntegrityError:  # seen before (or racing in on another connection right now)
        return _duplicate(delivery_id)


def _writing(sessions: sessionmaker[Session]) -> AbstractContextManager[object]:
    """The in-process writer's turn on SQLite; nothing to wait for on PostgreSQL."""
    bind = sessions.kw["bind"]
    return _SQLITE_WRITER if bind.dialect.name == "sqlite" else nullcontext()


def _duplicate(delivery_id: str) -> Receipt:
    return Receipt(200, {"ignored": ALREADY_RECEIVED, "delivery": delivery_id})
