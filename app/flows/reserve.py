"""The pending column: what other open, planned pull requests would add, read from the store.

Each project is locked by one pull request at a time, so open pull requests compete where
projects share a limit: their domain. A plan with errors reserves nothing (it cannot merge),
and only growth is reserved: what another pull request frees is not free until it merges.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from app.plan.quota import Pending
from app.store.plans import open_plans


def pending_for(session: Session, forge: str, repo: str, number: int) -> Pending:
    projects: dict[str, dict[str, int]] = {}
    domains: dict[str, dict[str, int]] = {}
    holders: dict[tuple[str, str], set[int]] = {}
    for other, body in open_plans(session, forge, repo, number):
        if _failed(body):
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


def _failed(body: dict[str, Any]) -> bool:
    return any(d.get("severity") == "error" for d in body.get("diagnostics", []))
