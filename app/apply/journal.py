"""The apply journal: every step written before and after its call, so a restart resumes.

States of a step: pending (not tried) → started (the call may have gone out; a nameless
create's request is written with it) → submitted (an async job id is known) → done (with the
object's id), failed (with CloudStack's words) or skipped (something it needs failed).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from app.apply.steps import steps_of
from app.jobs.queue import now
from app.plan.model import Plan
from app.plan.serialize import from_dict, plan_hash, to_dict
from app.store.tables import ApplyRun, ApplyStep

PENDING, STARTED, SUBMITTED = "pending", "started", "submitted"
DONE, FAILED, SKIPPED = "done", "failed", "skipped"
FINAL = (DONE, FAILED, SKIPPED)


@dataclass(frozen=True)
class StepRecord:
    seq: int
    address: str
    action: str
    state: str
    job_id: str | None
    resource_id: str | None
    error: str | None
    request: dict[str, Any] | None = None  # a nameless create's, see provenance.py


@dataclass(frozen=True)
class Run:
    id: int
    plan: Plan
    steps: tuple[StepRecord, ...]
    plan_hash: str = ""  # of the plan as approved (``plan`` is it as run: replaces split)
    state: str = "running"  # running, done, failed
    reported: bool = False  # the pull request was told how it ended

    @property
    def succeeded(self) -> bool:
        return all(step.state == DONE for step in self.steps)

    def tally(self) -> tuple[int, str]:
        """The steps done, and "F failed, S skipped[, U unfinished]": a step neither done,
        failed nor skipped (its follow-up or its job did not finish) is counted apart."""
        count = {state: sum(1 for s in self.steps if s.state == state) for state in FINAL}
        open_ = len(self.steps) - sum(count.values())
        tail = f", {open_} unfinished" if open_ else ""
        return count[DONE], f"{count[FAILED]} failed, {count[SKIPPED]} skipped{tail}"


class Journal:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions

    def start(
        self, plan: Plan, commit: str, actor: str, forge: str = "local", number: int = 0
    ) -> Run:
        steps = steps_of(plan)  # what runs; the hash is of the plan as it was approved
        with self.sessions.begin() as session:
            run = ApplyRun(
                repo=plan.repo,
                forge=forge,
                number=number,
                commit=commit,
                plan_hash=plan_hash(plan),
                plan=to_dict(steps),
                actor=actor,
                state="running",
                started_at=now(),
            )
            session.add(run)
            session.flush()
            for seq, change in enumerate(steps.changes):
                session.add(
                    ApplyStep(
                        run_id=run.id,
                        seq=seq,
                        address=change.address,
                        action=change.action.value,
                        state=PENDING,
                        updated_at=now(),
                    )
                )
            run_id = run.id
        return self.load(run_id)

    def unfinished(self, repo: str, forge: str = "local", number: int = 0) -> Run | None:
        """The run to resume for this repo (or PR): one a crash left running, or one that
        failed with a step whose outcome is unknown (it may have happened). A run that failed
        cleanly is not resumed: the next apply plans what is left from the cloud as it is."""
        uncertain = select(ApplyStep.run_id).where(ApplyStep.state.in_((STARTED, SUBMITTED)))
        with self.sessions() as session:
            found = session.scalars(
                select(ApplyRun.id)
                .where(
                    ApplyRun.repo == repo,
                    ApplyRun.forge == forge,
                    ApplyRun.number == number,
                    (ApplyRun.state == "running")
                    | ((ApplyRun.state == "failed") & ApplyRun.id.in_(uncertain)),
                )
                .order_by(ApplyRun.id.desc())
            ).first()
        return self.load(found) if found is not None else None

    def load(self, run_id: int) -> Run:
        with self.sessions() as session:
            run = session.get_one(ApplyRun, run_id)
            rows = session.scalars(
                select(ApplyStep).where(ApplyStep.run_id == run_id).order_by(ApplyStep.seq)
            )
            steps = tuple(_record(r) for r in rows)
            reported = run.reported_at is not None
            return Run(run.id, from_dict(run.plan), steps, run.plan_hash, run.state, reported)

    def step(self, run_id: int, seq: int) -> StepRecord:
        """One step as journaled now."""
        with self.sessions() as session:
            return _record(
                session.scalars(
                    select(ApplyStep).where(ApplyStep.run_id == run_id, ApplyStep.seq == seq)
                ).one()
            )

    def latest(self, repo: str, forge: str, number: int) -> Run | None:
        """The newest run for this pull request, finished or not."""
        with self.sessions() as session:
            found = session.scalars(
                select(ApplyRun.id)
                .where(ApplyRun.repo == repo, ApplyRun.forge == forge, ApplyRun.number == number)
                .order_by(ApplyRun.id.desc())
            ).first()
        return self.load(found) if found is not None else None

    def mark(self, run_id: int, seq: int, state: str, **values: Any) -> None:
        with self.sessions.begin() as session:
            session.execute(
                update(ApplyStep)
                .where(ApplyStep.run_id == run_id, ApplyStep.seq == seq)
                .values(state=state, updated_at=now(), **values)
            )

    def reported(self, session: Session, run_id: int) -> None:
        """In the caller's transaction, beside the locks and audit that go with telling."""
        session.execute(update(ApplyRun).where(ApplyRun.id == run_id).values(reported_at=now()))

    def close(self, run_id: int, ok: bool) -> None:
        with self.sessions.begin() as session:
            session.execute(
                update(ApplyRun)
                .where(ApplyRun.id == run_id)
                .values(state="done" if ok else "failed", finished_at=now())
            )


def _record(row: ApplyStep) -> StepRecord:
    return StepRecord(
        row.seq, row.address, row.action, row.state, row.job_id, row.resource_id, row.error,
        row.request,
    )  # fmt: skip
