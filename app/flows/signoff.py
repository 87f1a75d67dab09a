"""Which approvals count for a plan: those given to it, not merely to its head commit.

Each approval is bound to the plan the pull request showed when stackgate first saw it (by
the plan's changes digest, in the store). Before a re-plan, approvals that arrived since are
bound to the plan still shown; after it, only those bound to the new plan's changes count.
"""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy.orm import Session

from app.events.model import PullRequest
from app.flows.gate import MayApprove
from app.forges.base import Forge
from app.plan.model import Plan
from app.plan.serialize import changes_digest, from_dict
from app.store import approvals, plans


def bind_to_shown(session: Session, forge: str, pull: PullRequest) -> None:
    """Bind approvals not seen yet to the plan the PR shows now (none: they count for none)."""
    shown = plans.current_plan(session, forge, pull.repo, pull.number)
    digest = changes_digest(from_dict(shown.plan)) if shown is not None else ""
    approvals.remember(session, forge, pull.repo, pull.number, pull.approvals, digest)


def may_approve(forge: Forge, pull: PullRequest) -> MayApprove:
    """People with write access who wrote none of the PR's commits (read once, when needed):
    whoever helped make a change cannot be the one who lets it in."""
    authors: set[str] | None = None

    def check(user: str) -> bool:
        nonlocal authors
        if authors is None:
            authors = forge.commit_authors(pull.repo, pull.number)
        return user not in authors and forge.can_write(pull.repo, user)

    return check


def signed(session: Session, forge: str, pull: PullRequest, plan: Plan) -> PullRequest:
    """``pull`` with only the approvals given to ``plan``'s changes."""
    given = approvals.bound_to(
        session, forge, pull.repo, pull.number, pull.approvals, changes_digest(plan)
    )
    return replace(pull, approvals=given)
