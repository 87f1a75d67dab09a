"""The store's numbers at scrape time: queue depth and age, locks, applies, drift.

Each gauge reads 0 for every label value known in advance (job kinds and states, configured
forges, apply states) when the store has no row for it: a lock released reads 1 → 0, never
1 → absent. Drift is per reconciled repo: before a repo's first reconcile it is unknown, not 0.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from app.jobs.queue import FAILED, QUEUED, RUNNING, now
from app.store.database import aware
from app.store.tables import ApplyRun, DriftReport, Job, Lock

# What events.codec.job_kind names the queue's work; a kind found in the store is added.
JOB_KINDS = ("plan", "review", "relabel", "close", "command", "reconcile")
APPLY_STATES = ("running", "done", "failed")


def _fill(
    family: GaugeMetricFamily,
    known: Iterable[tuple[str, ...]],
    found: Mapping[tuple[str, ...], float],
) -> None:
    """One sample per known or found label tuple, 0 where the store has no row."""
    for labels in sorted({*known, *found}):
        family.add_metric(list(labels), found.get(labels, 0))


class StoreCollector(Collector):
    def __init__(self, sessions: sessionmaker[Session], forges: Iterable[str] = ()) -> None:
        self.sessions = sessions
        self.forges = tuple(forges)  # configured: their lock count reads 0 from the start

    def collect(self) -> Iterator[GaugeMetricFamily]:
        with self.sessions() as session:
            yield from self._queue(session)
            yield from self._locks(session)
            yield from self._applies(session)
            yield from self._drift(session)

    def _queue(self, session: Session) -> Iterator[GaugeMetricFamily]:
        depth = GaugeMetricFamily(
            "stackgate_queue_jobs", "Jobs waiting or running, by kind", labels=["kind", "state"]
        )
        age = GaugeMetricFamily(
            "stackgate_queue_oldest_seconds",
            "Age of the oldest job still waiting, by kind",
            labels=["kind"],
        )
        rows = session.execute(
            select(Job.kind, Job.state, func.count(), func.min(Job.created_at))
            .where(Job.state.in_((QUEUED, RUNNING)))
            .group_by(Job.kind, Job.state)
        ).all()
        kinds = [(kind,) for kind in JOB_KINDS]
        waiting = [(kind, state) for kind in JOB_KINDS for state in (QUEUED, RUNNING)]
        _fill(depth, waiting, {(kind, state): count for kind, state, count, _ in rows})
        # Nothing waiting is waiting 0 seconds: the alert on age reads a number, not a gap.
        _fill(
            age,
            kinds,
            {
                (kind,): (now() - aware(oldest)).total_seconds()
                for kind, state, _, oldest in rows
                if state == QUEUED and oldest is not None
            },
        )
        failed = GaugeMetricFamily(
            "stackgate_jobs_failed", "Jobs given up on, by kind", labels=["kind"]
        )
        given_up = select(Job.kind, func.count()).where(Job.state == FAILED).group_by(Job.kind)
        _fill(failed, kinds, {(kind,): count for kind, count in session.execute(given_up)})
        yield from (depth, age, failed)

    def _locks(self, session: Session) -> Iterator[GaugeMetricFamily]:
        held = GaugeMetricFamily(
            "stackgate_locks_held", "Projects held by a pull request, by forge", labels=["forge"]
        )
        rows = session.execute(select(Lock.forge, func.count()).group_by(Lock.forge))
        _fill(held, [(forge,) for forge in self.forges], {(f,): count for f, count in rows})
        yield held

    def _applies(self, session: Session) -> Iterator[GaugeMetricFamily]:
        runs = GaugeMetricFamily(
            "stackgate_apply_runs", "Apply runs by how they ended (or running)", labels=["state"]
        )
        rows = session.execute(select(ApplyRun.state, func.count()).group_by(ApplyRun.state))
        _fill(runs, [(state,) for state in APPLY_STATES], {(s,): count for s, count in rows})
        yield runs

    def _drift(self, session: Session) -> Iterator[GaugeMetricFamily]:
        items = GaugeMetricFamily(
            "stackgate_drift_items",
            "Differences between the cloud and the default branch at the last reconcile",
            labels=["repo", "kind"],
        )
        checked = GaugeMetricFamily(
            "stackgate_drift_checked_timestamp_seconds",
            "When each repo was last reconciled",
            labels=["repo"],
        )
        newest = select(DriftReport.repo, func.max(DriftReport.id)).group_by(DriftReport.repo)
        for _, report_id in session.execute(newest):
            report = session.get_one(DriftReport, report_id)
            counts = {"missing": 0, "changed": 0, "leftover": 0}
            for item in report.items.get("drift", []):
                counts[item["kind"]] = counts.get(item["kind"], 0) + 1
            for kind, count in counts.items():
                items.add_metric([report.repo, kind], count)
            checked.add_metric([report.repo], aware(report.at).timestamp())
        yield from (items, checked)
