"""The audit trail: who did what to which pull request, in stackgate's words; never a secret."""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.jobs.queue import now
from app.store.tables import AuditEvent


def audit(
    session: Session, forge: str, repo: str, number: int, actor: str, action: str, detail: str = ""
) -> None:
    session.add(
        AuditEvent(
            at=now(),
            forge=forge,
            repo=repo,
            number=number,
            actor=actor,
            action=action,
            detail=detail,
        )
    )
