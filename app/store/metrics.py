"""The store's numbers at scrape time: queue depth and age, locks, applies, drift."""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from app.jobs.queue import QUEUED, RUNNING, now
from app.store.database import aware
from app.store.tables import ApplyRun, DriftReport, Job, Lock


class StoreCollector(Collector):
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions

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
        )
        for kind, state, count, oldest in rows:
            depth.add_metric([kind, state], count)
            if state == QUEUED and oldest is not None:
                age.add_metric([kind], (now() - aware(oldest)).total_seconds())
        failed = GaugeMetricFamily(
            "stackgate_jobs_failed", "Jobs given up on, by kind", labels=["kind"]
        )
        for kind, count in session.execute(
            select(Job.kind, func.count()).where(Job.state == "failed").group_by(Job.kind)
        ):
            failed.add_metric([kind], count)
        yield from (depth, age, failed)

    def _locks(self, session: Session) -> Iterator[GaugeMetricFamily]:
        held = GaugeMetricFamily(
            "stackgate_locks_held", "Projects held by a pull request", labels=["forge", "repo"]
        )
        for forge, repo, count in session.execute(
            select(Lock.forge, Lock.repo, func.count()).group_by(Lock.forge, Lock.repo)
        ):
            held.add_metric([forge, repo], count)
        yield held

    def _applies(self, session: Session) -> Iterator[GaugeMetricFamily]:
        runs = GaugeMetricFamily(
            "stackgate_apply_runs", "Apply runs by how they ended (or running)", labels=["state"]
        )
        for state, count in session.execute(
            select(ApplyRun.state, func.count()).group_by(ApplyRun.state)
        ):
            runs.add_metric([state], count)
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
