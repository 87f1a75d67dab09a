"""Approvals as the forge reported them, kept so the audit shows who approved which commit."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.events.model import Approval
from app.jobs.queue import now
from app.store.tables import ApprovalSeen


def remember(
    session: Session, forge: str, repo: str, number: int, given: Iterable[Approval]
) -> None:
    known = {
        (row.user, row.commit)
        for row in session.scalars(
            select(ApprovalSeen).where(
                ApprovalSeen.forge == forge,
                ApprovalSeen.repo == repo,
                ApprovalSeen.number == number,
            )
        )
    }
    for approval in set(given):
        if (approval.user, approval.commit) not in known:
            session.add(
                ApprovalSeen(
                    forge=forge,
                    repo=repo,
                    number=number,
                    user=approval.user,
                    commit=approval.commit,
                    seen_at=now(),
                )
            )
