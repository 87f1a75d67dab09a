"""Where the flows tell what happened: each hook turns one outcome into a Notice and queues
it in the flow's own transaction (so it is sent exactly when the outcome is recorded)."""

from __future__ import annotations

from datetime import UTC, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from app.apply.journal import Run
from app.config import Settings
from app.jobs.queue import now
from app.notify.model import Notice
from app.notify.queueing import announce
from app.store.tables import DriftReport, Lock

_SHOWN = 20  # addresses listed for people; programs get every one in ``details``
RETRY = "/stackgate apply"


def apply_ended(
    session: Session, settings: Settings, forge: str, repo: str, number: int, run: Run, noun: str
) -> None:
    """An apply run of a merged pull request ended: finished, or failed with how to retry."""
    done = [step.address for step in run.steps if step.state == "done"]
    failed = [(s.address, s.error or s.state) for s in run.steps if s.state != "done"]
    where, key = f"{repo} {noun} #{number}", f"apply:{forge}:{repo}:{run.id}"
    details = {"run": run.id, "plan_hash": run.plan_hash, "done": done}
    if run.succeeded:
        summary = f"Applied {len(done)} change(s) of {where}"
        announce(
            session,
            settings,
            Notice("apply.finished", key, summary, forge, repo, number, (), details),
        )
        return
    summary = f"Apply of {where} failed: {len(done)} of {len(run.steps)} change(s) applied"
    lines = (
        *(f"{address}: {error}" for address, error in failed[:_SHOWN]),
        f"To retry, comment `{RETRY}` on {noun} #{number}: it resumes, never repeats.",
    )
    failures = [{"address": address, "error": error} for address, error in failed]
    details |= {"failed": failures, "retry": RETRY}
    announce(
        session, settings, Notice("apply.failed", key, summary, forge, repo, number, lines, details)
    )


def drift_found(session: Session, settings: Settings, forge: str, repo: str, tag_repo: str) -> None:
    """The reconcile just recorded found drift the one before it did not (new or changed)."""
    newest = select(DriftReport).where(DriftReport.repo == tag_repo)
    latest, *earlier = session.scalars(newest.order_by(DriftReport.id.desc()).limit(2))
    items = latest.items["drift"]
    if not items or _seen(items) == _seen(earlier[0].items["drift"] if earlier else []):
        return
    summary = f"Drift in {repo}: {len(items)} object(s) differ from the default branch"
    lines = tuple(f"{item['address']}: {item['kind']}" for item in items[:_SHOWN])
    details = {"commit": latest.commit, "drift": items}
    key = f"drift:{tag_repo}:{latest.id}"
    announce(
        session, settings, Notice("drift.found", key, summary, forge, repo, None, lines, details)
    )


def drift_healed(session: Session, settings: Settings, forge: str, repo: str, run: Run) -> None:
    """A heal run put drifted objects back as the default branch says."""
    fixed = [step.address for step in run.steps if step.state == "done"]
    if not fixed:
        return
    left = [step.address for step in run.steps if step.state != "done"]
    summary = f"Drift healed in {repo}: {len(fixed)} object(s) put back"
    lines = (*fixed[:_SHOWN], *([f"not healed: {', '.join(left[:_SHOWN])}"] if left else []))
    details = {"run": run.id, "healed": fixed, "left": left}
    key = f"heal:{forge}:{repo}:{run.id}"
    announce(
        session, settings, Notice("drift.healed", key, summary, forge, repo, None, lines, details)
    )


def overdue_locks(sessions: sessionmaker[Session], settings: Settings) -> int:
    """Tell, once per hold, of every project lock held longer than ``notify_lock_after``."""
    after = settings.notify_lock_after
    if not after or not any("lock.held" in r.events for r in settings.notify_receivers):
        return 0
    queued = 0
    with sessions.begin() as session:
        cutoff = now() - timedelta(seconds=after)
        for lock in session.scalars(select(Lock).where(Lock.acquired_at < cutoff)):
            since = lock.acquired_at.replace(tzinfo=lock.acquired_at.tzinfo or UTC)
            hours = (now() - since) / timedelta(hours=1)
            holder = f"#{lock.number}" if lock.number else "a heal"
            summary = f"Project {lock.project} of {lock.repo} held by {holder} for {hours:.1f}h"
            key = f"lock:{lock.forge}:{lock.repo}:{lock.project}:{lock.number}:{since.isoformat()}"
            details = {"project": lock.project, "since": since.isoformat()}
            number = lock.number or None
            notice = Notice("lock.held", key, summary, lock.forge, lock.repo, number, (), details)
            queued += announce(session, settings, notice)
    return queued


def _seen(items: list[dict[str, str]]) -> set[tuple[str, str]]:
    return {(item["address"], item["kind"]) for item in items}
