"""Record a verified delivery and its job in one transaction; a redelivery changes nothing."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from app.events.codec import encode, job_kind
from app.events.model import Event, Ignored
from app.jobs.queue import enqueue, now
from app.store.tables import Delivery

ALREADY_RECEIVED = "delivery already received"


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
    try:
        with sessions.begin() as session:
            # No lookup first: the unique key turns a redelivery into an IntegrityError,
            # one round trip fewer on the hot path.
            row = Delivery(
                forge=forge,
                delivery_id=delivery_id,
                event=event_name[:64],
                outcome=outcome[:255],
                received_at=now(),
            )
            session.add(row)
            session.flush()
            if isinstance(parsed, Ignored):
                return Receipt(200, {"ignored": parsed.reason, "delivery": delivery_id})
            job = enqueue(
                session,
                job_kind(parsed),
                parsed.forge,
                parsed.repo,
                parsed.number,
                encode(parsed),
                row.id,
            )
            return Receipt(202, {"queued": job.id, "delivery": delivery_id})
    except IntegrityError:  # seen before (or racing in on another connection right now)
        return _duplicate(delivery_id)


def _duplicate(delivery_id: str) -> Receipt:
    return Receipt(200, {"ignored": ALREADY_RECEIVED, "delivery": delivery_id})
