"""Reads for the dashboard: open pull requests with their gate, locks, the queue; never a write."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.dashboard.capacity import read_capacity
from app.dashboard.history import recent_audit, recent_drift, recent_runs
from app.dashboard.model import HEALER, Board, Held, Pull
from app.jobs.queue import FAILED, QUEUED, RUNNING, now
from app.store.database import aware
from app.store.plans import CURRENT, DISCARDED, MERGED, STALE
from app.store.tables import ApprovalSeen, AuditEvent, Job, Lock, LockWait, PlanRecord

PullKey = tuple[str, str, int]  # forge, repo, number
_HOLDER = {CURRENT: "open", STALE: "open", MERGED: "merged", DISCARDED: "closed"}


def read_board(session: Session, version: str, runs: int = 20, events: int = 50) -> Board:
    newest = _newest_plans(session)
    locks = list(session.scalars(select(Lock).order_by(Lock.forge, Lock.repo, Lock.project)))
    return Board(
        version=version,
        rendered_at=now(),
        queue=_queue(session),
        pulls=_open_pulls(session, newest, locks),
        locks=tuple(_held(lock, newest) for lock in locks),
        runs=recent_runs(session, runs),
        drift=recent_drift(session),
        audit=recent_audit(session, events),
        capacity=read_capacity(session),
    )


@dataclass(frozen=True)
class _Newest:
    """A PR's newest plan, without the plan: most PRs are long finished and theirs unread."""

    id: int
    state: str
    created_at: datetime


def _newest_plans(session: Session) -> dict[PullKey, _Newest]:
    ids = select(func.max(PlanRecord.id)).group_by(
        PlanRecord.forge, PlanRecord.repo, PlanRecord.number
    )
    rows = session.execute(
        select(
            PlanRecord.forge,
            PlanRecord.repo,
            PlanRecord.number,
            PlanRecord.id,
            PlanRecord.state,
            PlanRecord.created_at,
        ).where(PlanRecord.id.in_(ids))
    )
    return {
        (forge, repo, number): _Newest(plan_id, state, aware(at))
        for forge, repo, number, plan_id, state, at in rows
    }


def _queue(session: Session) -> dict[str, int]:
    counted = dict(
        session.execute(
            select(Job.state, func.count())
            .where(Job.state.in_((QUEUED, RUNNING, FAILED)))
            .group_by(Job.state)
        ).all()
    )
    return {state: int(counted.get(state, 0)) for state in (QUEUED, RUNNING, FAILED)}


def _held(lock: Lock, newest: Mapping[PullKey, _Newest]) -> Held:
    record = newest.get((lock.forge, lock.repo, lock.number))
    holder = (
        "heal" if lock.number == HEALER else _HOLDER.get(record.state if record else "", "open")
    )
    return Held(lock.forge, lock.repo, lock.project, lock.number, holder, aware(lock.acquired_at))


def _open_pulls(
    session: Session, newest: Mapping[PullKey, _Newest], locks: Iterable[Lock]
) -> tuple[Pull, ...]:
    ended = _ended(session)
    ids = [
        plan.id
        for key, plan in newest.items()
        if plan.state in (CURRENT, STALE)
        # A PR unlocked (plan stale) and then closed keeps its stale plan: the close says.
        and not (key in ended and ended[key] >= plan.created_at)
    ]
    found = session.scalars(select(PlanRecord).where(PlanRecord.id.in_(ids)))
    planned = {(r.forge, r.repo, r.number): r for r in found}
    holders = {(lock.forge, lock.repo, lock.project): lock.number for lock in locks}
    holds: defaultdict[PullKey, list[str]] = defaultdict(list)
    for (forge, repo, project), number in holders.items():
        holds[(forge, repo, number)].append(project)
    waits: defaultdict[PullKey, list[tuple[str, int | None]]] = defaultdict(list)
    for wait in session.scalars(select(LockWait).order_by(LockWait.project)):
        holder = holders.get((wait.forge, wait.repo, wait.project))
        waits[(wait.forge, wait.repo, wait.number)].append((wait.project, holder))
    approved = _approvals(session, planned.values())
    # A PR whose plan never got stored (its job failed) still holds what it locked.
    unplanned = {key for key in holds if key not in newest and key[2] != HEALER}
    keys = sorted({*planned, *waits, *unplanned})
    return tuple(
        _pull(key, planned.get(key), approved, holds.get(key, []), waits.get(key, []))
        for key in keys
    )


def _ended(session: Session) -> dict[PullKey, datetime]:
    rows = session.execute(
        select(AuditEvent.forge, AuditEvent.repo, AuditEvent.number, func.max(AuditEvent.at))
        .where(AuditEvent.action.in_(("closed", "merged")))
        .group_by(AuditEvent.forge, AuditEvent.repo, AuditEvent.number)
    )
    return {(forge, repo, number): aware(at) for forge, repo, number, at in rows}


def _approvals(
    session: Session, records: Iterable[PlanRecord]
) -> dict[tuple[str, str, int, str], list[str]]:
    heads = {record.head_sha for record in records}
    found: defaultdict[tuple[str, str, int, str], list[str]] = defaultdict(list)
    if heads:
        seen = (
            select(ApprovalSeen).where(ApprovalSeen.commit.in_(heads)).order_by(ApprovalSeen.user)
        )
        for row in session.scalars(seen):
            found[(row.forge, row.repo, row.number, row.commit)].append(row.user)
    return found


def _pull(
    key: PullKey,
    record: PlanRecord | None,
    approved: Mapping[tuple[str, str, int, str], list[str]],
    holds: list[str],
    waits: list[tuple[str, int | None]],
) -> Pull:
    plan: dict[str, Any] = record.plan if record else {}
    decision: dict[str, Any] = record.decision if record else {}
    counts = plan.get("counts", {})
    return Pull(
        *key,
        head=record.head_sha[:8] if record else "",
        plan_state=record.state if record else "waiting" if waits else "unplanned",
        planned_at=aware(record.created_at) if record else None,
        counts={
            "create": counts.get("create", 0),
            "update": counts.get("update", 0) + counts.get("update-stop", 0),
            "replace": counts.get("replace", 0),
            "delete": counts.get("delete", 0),
            # only where a plan adopts, so that other pull requests read as they always did
            **({"adopt": counts["adopt"]} if counts.get("adopt") else {}),
        },
        plan_errors=sum(1 for d in plan.get("diagnostics", []) if d.get("severity") == "error"),
        denials=tuple(str(finding.get("msg", "")) for finding in decision.get("deny", [])),
        warnings=len(decision.get("warn", [])),
        policy_errors=tuple(str(error) for error in decision.get("errors", [])),
        needs=tuple(_requirement(item) for item in decision.get("approvals", [])),
        approved_by=tuple(approved.get((*key, record.head_sha), [])) if record else (),
        holds=tuple(sorted(holds)),
        waits_for=tuple(waits),
    )


def _requirement(item: Mapping[str, Any]) -> str:
    people = ", ".join(item.get("from", [])) or "anyone with write access"
    reason = item.get("reason", "")
    return f"{item.get('count', 1)} from {people}" + (f": {reason}" if reason else "")
