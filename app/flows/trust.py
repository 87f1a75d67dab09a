"""Whether a pull request may hold project locks yet: anyone who can open one could otherwise
stop every team's merges. An outsider's (no write access), or one that changes the repo-wide
settings, holds none until someone with write access vouches for its head commit: approves
it, or comments `/stackgate plan` on it."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.events.model import PullRequest
from app.flows.services import Services
from app.forges.base import Forge
from app.spec.sources import SETTINGS_FILE
from app.store import audit
from app.store.tables import AuditEvent

VOUCHED = "vouched"  # the audit action; its detail is the head commit vouched for
OUTSIDER = "outsider"
SETTINGS = "settings"


def vouch(session: Session, pull: PullRequest, user: str) -> None:
    """``user``, who has write access, asked for a plan of this head: they vouch for it."""
    audit.audit(session, pull.forge, pull.repo, pull.number, user, VOUCHED, pull.head_sha)


def needs_vouch(forge: Forge, pull: PullRequest) -> str:
    """OUTSIDER or SETTINGS when ``pull`` holds locks only once vouched for, else ""."""
    if not forge.can_write(pull.repo, pull.author):
        return OUTSIDER
    return SETTINGS if SETTINGS_FILE in forge.changed_paths(pull.repo, pull.number) else ""


def withheld(services: Services, forge: Forge, pull: PullRequest, why: str | None = None) -> str:
    """Why ``pull`` may not hold locks now (OUTSIDER or SETTINGS), or "" when it may;
    ``why``: what ``needs_vouch`` said, when already asked."""
    why = needs_vouch(forge, pull) if why is None else why
    if not why or _approved_head(forge, pull):
        return ""
    with services.sessions() as session:
        vouched = session.scalar(
            select(AuditEvent.id)
            .where(
                AuditEvent.forge == pull.forge,
                AuditEvent.repo == pull.repo,
                AuditEvent.number == pull.number,
                AuditEvent.action == VOUCHED,
                AuditEvent.detail == pull.head_sha,
            )
            .limit(1)
        )
    return "" if vouched is not None else why


def _approved_head(forge: Forge, pull: PullRequest) -> bool:
    """Someone with write access, not its author, approved the head commit."""
    return any(
        given.commit == pull.head_sha
        and given.user != pull.author
        and forge.can_write(pull.repo, given.user)
        for given in pull.approvals
    )
