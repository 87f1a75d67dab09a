"""Approvals as the forge reported them, each bound to the plan it was given to.

An approval counts for the plan the pull request showed when stackgate first saw it (by the
plan's changes digest). A re-plan on the same head whose changes differ needs it again; the
forge's id of each act of approving (``given``) tells a new approval from the old one.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.events.model import Approval
from app.jobs.queue import now
from app.store.tables import ApprovalSeen


def remember(
    session: Session, forge: str, repo: str, number: int, given: Iterable[Approval], digest: str
) -> dict[tuple[str, str], str]:
    """Bind approvals not seen before (or given anew) to ``digest``; what each is bound to."""
    rows = {
        (row.user, row.commit): row
        for row in session.scalars(
            select(ApprovalSeen).where(
                ApprovalSeen.forge == forge,
                ApprovalSeen.repo == repo,
                ApprovalSeen.number == number,
            )
        )
    }
    for approval in set(given):
        row = rows.get((approval.user, approval.commit))
        if row is None:
            row = ApprovalSeen(
                forge=forge,
                repo=repo,
                number=number,
                user=approval.user,
                commit=approval.commit,
                given=approval.given,
                digest=digest,
                seen_at=now(),
            )
            session.add(row)
            rows[(approval.user, approval.commit)] = row
        elif row.given != approval.given:  # approved again: given to the plan shown now
            row.given, row.digest, row.seen_at = approval.given, digest, now()
    return {key: row.digest for key, row in rows.items()}


def bound_to(
    session: Session, forge: str, repo: str, number: int, given: Iterable[Approval], digest: str
) -> tuple[Approval, ...]:
    """The approvals in ``given`` that were given to the plan with changes ``digest``."""
    given = tuple(given)
    on = remember(session, forge, repo, number, given, digest)
    return tuple(a for a in given if digest and on.get((a.user, a.commit)) == digest)
