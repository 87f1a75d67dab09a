"""Reads for the dashboard's record of what happened: apply runs, drift, the audit trail."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.dashboard.model import Drift, DriftItem, Event, Run, Step
from app.store.database import aware
from app.store.tables import ApplyRun, ApplyStep, AuditEvent, DriftReport, PlanRecord


def recent_runs(session: Session, limit: int) -> tuple[Run, ...]:
    runs = list(session.scalars(select(ApplyRun).order_by(ApplyRun.id.desc()).limit(limit)))
    steps: defaultdict[int, list[Step]] = defaultdict(list)
    if runs:
        rows = session.scalars(
            select(ApplyStep)
            .where(ApplyStep.run_id.in_([run.id for run in runs]))
            .order_by(ApplyStep.run_id, ApplyStep.seq)
        )
        for row in rows:
            steps[row.run_id].append(
                Step(
                    row.seq,
                    row.address,
                    row.action,
                    row.state,
                    row.resource_id,
                    row.job_id,
                    row.error,
                )
            )
    pulls = _pull_repos(session, runs)
    return tuple(
        Run(
            id=run.id,
            repo=run.repo,
            forge=run.forge,
            number=run.number,
            pull_repo=pulls.get((run.forge, run.repo, run.number)),
            commit=run.commit,
            actor=run.actor,
            state=run.state,
            started_at=aware(run.started_at),
            finished_at=aware(run.finished_at) if run.finished_at else None,
            steps=tuple(steps[run.id]),
        )
        for run in runs
    )


def _pull_repos(session: Session, runs: list[ApplyRun]) -> dict[tuple[str, str, int], str]:
    """The forge's name of each run's repo: a run names it as the cloud's tags do (the plan's
    repo), so it is found through the plans stored for that pull request number."""
    numbers = {run.number for run in runs if run.number}
    if not numbers:
        return {}
    rows = session.execute(
        select(PlanRecord.forge, PlanRecord.plan["repo"].as_string(), PlanRecord.number)
        .add_columns(PlanRecord.repo)
        .where(PlanRecord.number.in_(numbers))
        .distinct()
    )
    return {(forge, tagged, number): repo for forge, tagged, number, repo in rows}


def recent_drift(session: Session) -> tuple[Drift, ...]:
    """Each repo's newest report: older ones are history the metrics already tell."""
    ids = select(func.max(DriftReport.id)).group_by(DriftReport.repo)
    reports = session.scalars(
        select(DriftReport).where(DriftReport.id.in_(ids)).order_by(DriftReport.repo)
    )
    return tuple(
        Drift(
            repo=report.repo,
            at=aware(report.at),
            commit=report.commit,
            problems=report.problems,
            items=tuple(
                DriftItem(
                    str(item.get("project", "")),
                    str(item.get("address", "")),
                    str(item.get("kind", "")),
                    str(item.get("detail", "")),
                )
                for item in report.items.get("drift", [])
            ),
        )
        for report in reports
    )


def recent_audit(session: Session, limit: int) -> tuple[Event, ...]:
    rows = session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit))
    return tuple(
        Event(e.id, aware(e.at), e.forge, e.repo, e.number, e.actor, e.action, e.detail)
        for e in rows
    )
