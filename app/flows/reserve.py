"""The pending column: what other open, planned pull requests would add, read from the store.

Each project is locked by one pull request at a time, so open pull requests compete where
projects share a limit: their domain. A plan with errors reserves nothing (it cannot merge),
and only growth is reserved: what another pull request frees is not free until it merges.
When a pull request holding a reservation merges or closes, the others planned in the same
domains are planned again, so their figures and statuses move without a push.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from app.flows.letgo import replan
from app.plan.quota import Pending
from app.store.plans import CURRENT, current_plan, has_errors, open_plans


def pending_for(session: Session, forge: str, repo: str, number: int) -> Pending:
    projects: dict[str, dict[str, int]] = {}
    domains: dict[str, dict[str, int]] = {}
    holders: dict[tuple[str, str], set[int]] = {}
    for other, body in open_plans(session, forge, repo, number):
        if has_errors(body):
            continue
        for quota in body.get("quotas", []):
            if quota["change"] <= 0:
                continue
            domain = quota.get("scope") == "domain"
            row = (domains if domain else projects).setdefault(quota["project"], {})
            row[quota["resource"]] = row.get(quota["resource"], 0) + quota["change"]
            if domain:
                holders.setdefault((quota["project"], quota["resource"]), set()).add(other)
    return Pending(projects, domains, {key: tuple(sorted(v)) for key, v in holders.items()})


def replan_contenders(
    session: Session, forge: str, repo: str, number: int, state: str = CURRENT
) -> None:
    """Queue a plan for every other open pull request whose current plan has rows in a domain
    where PR ``number``'s plan (the one in ``state``) reserves growth. Called before a close
    retires that plan, or (``state`` merged) whenever an apply of it has ended."""
    record = current_plan(session, forge, repo, number, state)
    if record is None or has_errors(record.plan):
        return
    held = _domains(record.plan, growing=True)
    others = open_plans(session, forge, repo, number)
    replan(session, forge, repo, {other for other, body in others if _domains(body) & held})


def _domains(body: dict[str, Any], growing: bool = False) -> set[str]:
    """The domain paths of a plan's domain rows (``growing``: only where it adds)."""
    return {
        quota["project"]
        for quota in body.get("quotas", [])
        if quota.get("scope") == "domain" and (quota["change"] > 0 or not growing)
    }
