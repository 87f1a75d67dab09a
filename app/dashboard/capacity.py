"""The capacity view: per domain and per project, used / pending / limit for each resource,
from the quota rows of the plans that reserve, as the review counts them (the dashboard reads
no cloud)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.store.plans import has_errors, reserving
from app.store.tables import PlanRecord


@dataclass(frozen=True)
class Gauge:
    scope: str  # project or domain
    name: str  # the project, or the domain's path
    resource: str
    unit: str
    used: int
    pending: int  # the open pull requests' planned growth
    limit: int | None
    holders: tuple[tuple[str, str, int], ...]  # forge, repo, number of the plans holding it

    @property
    def fill(self) -> float:
        """How full it would be, used and pending together; 0 when unlimited."""
        return (self.used + self.pending) / self.limit if self.limit else 0.0

    @property
    def used_percent(self) -> float:
        return min(100.0, 100 * self.used / self.limit) if self.limit else 0.0

    @property
    def pending_percent(self) -> float:
        room = 100 - self.used_percent
        return min(room, 100 * self.pending / self.limit) if self.limit else 0.0

    @property
    def status(self) -> str:
        return "over" if self.fill > 1 else "near" if self.fill >= 0.9 else "ok"


def read_capacity(session: Session) -> tuple[Gauge, ...]:
    """The newest figures per row (plans in id order), pending summed over the open plans
    that reserve (as the review counts it: a plan with errors reserves nothing); fullest
    first, so projects near or over a limit lead."""
    rows = session.execute(
        select(PlanRecord.forge, PlanRecord.repo, PlanRecord.number, PlanRecord.plan)
        .where(reserving())
        .order_by(PlanRecord.id)
    )
    seen: dict[tuple[str, str, str], dict[str, object]] = {}
    pending: dict[tuple[str, str, str], int] = {}
    holders: dict[tuple[str, str, str], set[tuple[str, str, int]]] = {}
    for forge, repo, number, body in rows:
        reserves = not has_errors(body)
        for quota in body.get("quotas", []):
            key = (quota.get("scope", "project"), quota["project"], quota["resource"])
            seen[key] = quota
            if reserves and quota["change"] > 0:
                pending[key] = pending.get(key, 0) + quota["change"]
                holders.setdefault(key, set()).add((forge, repo, number))
    gauges = [
        Gauge(
            *key,
            str(quota["unit"]),
            int(str(quota["used"])),
            pending.get(key, 0),
            None if quota["limit"] is None else int(str(quota["limit"])),
            tuple(sorted(holders.get(key, ()))),
        )
        for key, quota in seen.items()
    ]
    return tuple(sorted(gauges, key=lambda g: (-g.fill, g.scope != "domain", g.name, g.resource)))
