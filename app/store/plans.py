"""Plans per head commit: the newest is current, older ones stale, a closed PR's discarded."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, and_, exists, or_, select, update
from sqlalchemy.orm import Session

from app.jobs.queue import now
from app.store.tables import Lock, PlanRecord

CURRENT, STALE, DISCARDED, MERGED = "current", "stale", "discarded", "merged"


def save_plan(
    session: Session,
    forge: str,
    repo: str,
    number: int,
    head_sha: str,
    plan: dict[str, Any],
    plan_hash: str,
    decision: dict[str, Any],
) -> PlanRecord:
    retire(session, forge, repo, number, STALE)
    record = PlanRecord(
        forge=forge,
        repo=repo,
        number=number,
        head_sha=head_sha,
        plan=plan,
        plan_hash=plan_hash,
        decision=decision,
        state=CURRENT,
        created_at=now(),
    )
    session.add(record)
    session.flush()
    return record


def current_plan(
    session: Session, forge: str, repo: str, number: int, state: str = CURRENT
) -> PlanRecord | None:
    """The PR's newest plan in ``state`` (by default the one its statuses describe)."""
    return _newest(session, forge, repo, number, PlanRecord.state == state)


def set_decision(session: Session, record_id: int, decision: dict[str, Any]) -> None:
    """The policies judged plan ``record_id`` again (new labels): its decision is this now."""
    session.execute(update(PlanRecord).where(PlanRecord.id == record_id).values(decision=decision))


def retire(session: Session, forge: str, repo: str, number: int, state: str) -> None:
    """Mark the PR's current plan ``state`` (stale, discarded, merged)."""
    session.execute(
        update(PlanRecord)
        .where(
            PlanRecord.forge == forge,
            PlanRecord.repo == repo,
            PlanRecord.number == number,
            PlanRecord.state == CURRENT,
        )
        .values(state=state)
    )


def plan_for_head(
    session: Session, forge: str, repo: str, number: int, head_sha: str
) -> PlanRecord | None:
    """The newest plan made for ``head_sha`` and not discarded: what reviewers approved."""
    fresh = PlanRecord.state.in_((CURRENT, MERGED))
    return _newest(session, forge, repo, number, PlanRecord.head_sha == head_sha, fresh)


def _newest(
    session: Session, forge: str, repo: str, number: int, *where: ColumnElement[bool]
) -> PlanRecord | None:
    return session.scalars(
        select(PlanRecord)
        .where(
            PlanRecord.forge == forge,
            PlanRecord.repo == repo,
            PlanRecord.number == number,
            *where,
        )
        .order_by(PlanRecord.id.desc())
    ).first()


def reserving() -> ColumnElement[bool]:
    """The plans whose growth is not in the cloud yet: open pull requests' current plans
    (closing one retires its plan), and merged ones whose pull request still holds its locks,
    which it does until its apply has made the cloud match."""
    applying = exists().where(
        Lock.forge == PlanRecord.forge,
        Lock.repo == PlanRecord.repo,
        Lock.number == PlanRecord.number,
    )
    return or_(PlanRecord.state == CURRENT, and_(PlanRecord.state == MERGED, applying))


def open_plans(session: Session, forge: str, repo: str, number: int) -> list[tuple[int, Any]]:
    """(number, plan) of the repo's other pull requests' plans that reserve (``reserving``)."""
    rows = session.execute(
        select(PlanRecord.number, PlanRecord.plan)
        .where(
            PlanRecord.forge == forge,
            PlanRecord.repo == repo,
            PlanRecord.number != number,
            reserving(),
        )
        .order_by(PlanRecord.number)
    )
    return [(other, plan) for other, plan in rows]


def has_errors(plan: dict[str, Any]) -> bool:
    """A stored plan with errors cannot merge, so it reserves nothing for other pull requests."""
    return any(d.get("severity") == "error" for d in plan.get("diagnostics", []))
