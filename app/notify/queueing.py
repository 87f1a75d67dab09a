"""A notice becomes one queued job per receiver that wants it, in the caller's transaction."""

from __future__ import annotations

import hashlib
import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.config import Settings
from app.jobs.queue import enqueue
from app.notify.model import Notice
from app.store.tables import Job

NOTIFY = "notify"


def announce(session: Session, settings: Settings, notice: Notice) -> int:
    """Queue ``notice`` for each receiver that wants it and has not had it; how many."""
    queued = 0
    for receiver in settings.notify_receivers:
        if notice.event not in receiver.events:
            continue
        # The job's repo column is its lane: one lane per receiver and occurrence, so a
        # receiver that keeps failing delays only its own retries, never a pull request's
        # jobs or another receiver, and an occurrence already queued is not queued again.
        lane = f"{receiver.name}:{hashlib.sha256(notice.key.encode()).hexdigest()[:40]}"
        seen = select(Job.id).where(Job.kind == NOTIFY, Job.forge == NOTIFY, Job.repo == lane)
        if session.scalars(seen).first() is not None:
            continue
        event = {"receiver": receiver.name, "delivery": str(uuid.uuid4()), **notice.as_dict()}
        enqueue(session, NOTIFY, NOTIFY, lane, 0, event)
        queued += 1
    return queued
