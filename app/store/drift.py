"""Drift reports, one per reconcile run, so the platform team sees when disagreement began."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.jobs.queue import now
from app.store.tables import DriftReport


def record_drift(
    session: Session,
    repo: str,
    commit: str,
    plan_hash: str,
    items: Sequence[dict[str, str]],
    problems: int,
) -> DriftReport:
    report = DriftReport(
        repo=repo,
        commit=commit,
        at=now(),
        plan_hash=plan_hash,
        items={"drift": list(items)},
        problems=problems,
    )
    session.add(report)
    session.flush()
    return report


def latest_drift(session: Session, repo: str) -> DriftReport | None:
    newest = select(DriftReport).where(DriftReport.repo == repo).order_by(DriftReport.id.desc())
    return session.scalars(newest).first()
