"""What the dashboard shows, as frozen values: the pages render these and nothing else."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from app.dashboard.capacity import Gauge

HEALER = 0  # the lock and run number of stackgate's own reconcile heal, not a pull request


@dataclass(frozen=True)
class Pull:
    """An open pull request and the gate's word on its newest plan."""

    forge: str
    repo: str
    number: int
    head: str  # short sha of the planned head; "" when it was never planned
    plan_state: str  # current, stale (then unlocked), waiting (for a lock), unplanned
    planned_at: datetime | None
    counts: Mapping[str, int]  # create, update, replace, delete (and adopt, when any)
    plan_errors: int
    denials: tuple[str, ...]
    warnings: int
    policy_errors: tuple[str, ...]
    needs: tuple[str, ...]  # the approvals the policies require, in words
    approved_by: tuple[str, ...]  # approvals seen on the planned head
    holds: tuple[str, ...]  # projects it has locked
    waits_for: tuple[tuple[str, int | None], ...]  # (project, its holder) it is queued behind


@dataclass(frozen=True)
class Held:
    """A project lock and what holds it."""

    forge: str
    repo: str
    project: str
    number: int  # HEALER: stackgate's reconcile heal
    holder: str  # open, merged, closed, heal: what became of the pull request
    since: datetime


@dataclass(frozen=True)
class Step:
    seq: int
    address: str
    action: str
    state: str
    resource_id: str | None
    job_id: str | None
    error: str | None


@dataclass(frozen=True)
class Run:
    """One apply run, newest first on the page, with every step."""

    id: int
    repo: str
    forge: str
    number: int  # HEALER: a heal
    pull_repo: str | None  # the repo as its forge names it; None: a heal, or no plan stored
    commit: str
    actor: str
    state: str  # running, done, failed
    started_at: datetime
    finished_at: datetime | None
    steps: tuple[Step, ...]

    def count(self, *states: str) -> int:
        return sum(1 for step in self.steps if step.state in states)


@dataclass(frozen=True)
class DriftItem:
    project: str
    address: str
    kind: str  # missing, changed, leftover, unadopted
    detail: str


@dataclass(frozen=True)
class Drift:
    """A repo's newest reconcile."""

    repo: str
    at: datetime
    commit: str
    problems: int  # projects whose plan had errors: their drift is unknown
    items: tuple[DriftItem, ...]


@dataclass(frozen=True)
class Event:
    id: int
    at: datetime
    forge: str
    repo: str
    number: int
    actor: str
    action: str
    detail: str


@dataclass(frozen=True)
class Board:
    version: str
    rendered_at: datetime
    queue: Mapping[str, int]  # jobs queued, running, and failed
    pulls: tuple[Pull, ...]
    locks: tuple[Held, ...]
    runs: tuple[Run, ...]
    drift: tuple[Drift, ...]
    audit: tuple[Event, ...]
    capacity: tuple[Gauge, ...] = ()
