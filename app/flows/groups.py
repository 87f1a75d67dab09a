"""Which pull requests a merge queue's group holds, as stackgate checked it: the audit trail
keeps it, so the push that lands the group applies exactly those, in the queue's order."""

from __future__ import annotations

import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.store import audit
from app.store.plans import CURRENT, MERGED
from app.store.tables import AuditEvent, PlanRecord

CHECKED = "merge-group-checked"
QUEUE = "github-merge-queue"  # who acts for the queue in the audit trail


def planned_heads(session: Session, forge: str, repo: str, heads: list[str]) -> dict[str, int]:
    """head sha → the pull request whose plan stackgate holds for that head (not discarded)."""
    if not heads:
        return {}
    rows = session.execute(
        select(PlanRecord.head_sha, PlanRecord.number)
        .where(
            PlanRecord.forge == forge,
            PlanRecord.repo == repo,
            PlanRecord.head_sha.in_(heads),
            PlanRecord.state.in_((CURRENT, MERGED)),
        )
        .order_by(PlanRecord.id)
    )
    return {row.head_sha: row.number for row in rows}


def remember(session: Session, forge: str, repo: str, head: str, numbers: list[int]) -> None:
    """The group at ``head`` passed its checks holding ``numbers``, in the queue's order."""
    detail = json.dumps({"head": head, "pulls": numbers})
    for number in numbers:
        audit.audit(session, forge, repo, number, QUEUE, CHECKED, detail)


def checked_group(session: Session, forge: str, repo: str, head: str) -> list[int]:
    """The pull requests of the group checked at ``head``, in order; [] when none was."""
    details = session.scalars(
        select(AuditEvent.detail)
        .where(
            AuditEvent.forge == forge,
            AuditEvent.repo == repo,
            AuditEvent.action == CHECKED,
            AuditEvent.detail.contains(head),
        )
        .order_by(AuditEvent.id.desc())
    )
    for detail in details:
        found = json.loads(detail)
        if found["head"] == head:
            return [int(number) for number in found["pulls"]]
    return []


def queued(session: Session, forge: str, repo: str, number: int) -> bool:
    """Whether PR ``number`` passed as part of a merge group: its merge is then applied by the
    push that lands the group, with the group, never by its own close as well."""
    found = session.scalars(
        select(AuditEvent.id).where(
            AuditEvent.forge == forge,
            AuditEvent.repo == repo,
            AuditEvent.number == number,
            AuditEvent.action == CHECKED,
        )
    ).first()
    return found is not None
