"""A client's async jobs polled together: one listAsyncJobs call answers for every job its
threads await at once, where a queryAsyncJobResult per job and poll made the polls, not
the jobs, the cost of a wide apply.

queryAsyncJobResult takes one job id; listAsyncJobs (ListAsyncJobsCmd) lists the caller's
jobs created since ``startdate`` (QueryManagerImpl: created >= startdate), each with the
fields queryAsyncJobResult gives, the result included. One waiting thread at a time polls
for all, at an interval that follows the youngest job's age (a twentieth, 0.05 s to 5 s),
so a 1 s job is seen done within about 0.05 s and a long one costs a poll every few
seconds. A job the listing does not show (or a cloud that refuses the listing) is queried
on its own, so nothing waits on a listing that cannot answer for it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from app.cloudstack.errors import CloudStackError

log = logging.getLogger("stackgate.cloudstack")

JOB_PENDING = 0
POLL_MIN, POLL_MAX, POLL_SHARE = 0.05, 5.0, 0.05

Job = dict[str, Any]


@dataclass
class _Awaited:
    created: str  # the server's own timestamp: the listing starts at the oldest awaited
    since: float  # monotonic, when first awaited: the interval follows the youngest
    job: Job | None = None
    error: CloudStackError | None = None


class JobWatch:
    def __init__(
        self,
        query: Callable[[str], Job],
        listing: Callable[[str], list[Job]],
        sleep: Callable[[float], None],
    ) -> None:
        self._query, self._listing, self._sleep = query, listing, sleep
        self._awaited: dict[str, _Awaited] = {}
        self._turn = threading.Condition()
        self._polling = False
        self._lists = True  # False once the cloud refused listAsyncJobs: query each job

    def await_job(self, job_id: str, created: str, deadline: float) -> Job | None:
        """The job's final record (queryAsyncJobResult's fields), or None at ``deadline``."""
        with self._turn:
            self._awaited[job_id] = _Awaited(created, time.monotonic())
        try:
            while True:
                with self._turn:
                    awaited = self._awaited[job_id]
                    if awaited.error is not None:
                        raise awaited.error
                    if awaited.job is not None:
                        return awaited.job
                    left = deadline - time.monotonic()
                    if left <= 0:
                        return None
                    if self._polling:  # another waiter polls for this job too
                        self._turn.wait(timeout=min(POLL_MAX, left))
                        continue
                    self._polling = True
                try:
                    self._poll(left)
                finally:
                    with self._turn:
                        self._polling = False
                        self._turn.notify_all()
        finally:
            with self._turn:
                del self._awaited[job_id]

    def _poll(self, left: float) -> None:
        with self._turn:
            youngest = time.monotonic() - max(a.since for a in self._awaited.values())
            oldest = min(a.created for a in self._awaited.values())
        self._sleep(min(left, max(POLL_MIN, min(POLL_MAX, youngest * POLL_SHARE))))
        listed = self._list(oldest)
        with self._turn:
            open_ids = [job_id for job_id, a in self._awaited.items() if a.job is None]
        for job_id in open_ids:
            job = listed.get(job_id)
            error: CloudStackError | None = None
            if job is None:
                try:
                    job = self._query(job_id)
                except CloudStackError as failed:
                    error = failed
            with self._turn:
                awaited = self._awaited.get(job_id)
                if awaited is not None and error is not None:
                    awaited.error = error
                elif awaited is not None and job is not None:
                    awaited.job = job if job.get("jobstatus") != JOB_PENDING else None

    def _list(self, since: str) -> dict[str, Job]:
        if not self._lists:
            return {}
        try:
            rows = self._listing(since)
        except CloudStackError as error:
            log.info("listAsyncJobs refused (%s): jobs are polled one by one", error)
            self._lists = False
            return {}
        return {str(row["jobid"]): row for row in rows if "jobid" in row}
