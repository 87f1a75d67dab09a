"""A pull request closed or merged: a close lets its projects go and the pull requests its
quota reservation held back are planned again; a merge is applied (landing re-plans them)."""

from __future__ import annotations

import logging

from app.flows.groups import queued
from app.flows.land import land
from app.flows.letgo import let_go
from app.flows.reserve import replan_contenders
from app.flows.services import Services
from app.store import audit, plans

log = logging.getLogger("stackgate.apply")


def close(
    services: Services, forge_name: str, repo: str, number: int, actor: str, merged: bool
) -> None:
    with services.sessions.begin() as session:
        if merged:  # the projects stay locked until the apply has made the cloud match
            plans.retire(session, forge_name, repo, number, plans.MERGED)
            audit.audit(session, forge_name, repo, number, actor, "merged")
        else:
            released = let_go(session, forge_name, repo, number)
            replan_contenders(session, forge_name, repo, number)
            plans.retire(session, forge_name, repo, number, plans.DISCARDED)
            audit.audit(session, forge_name, repo, number, actor, "closed", ", ".join(released))
    if not merged:
        return
    with services.sessions.begin() as session:
        grouped = queued(session, forge_name, repo, number)
        if grouped:  # its landing may have run first, when the plan was not retired yet
            replan_contenders(session, forge_name, repo, number, plans.MERGED)
    if grouped:
        log.info("%s#%s merged with its merge group: the group's landing applies it", repo, number)
        return
    land(services, forge_name, repo, number, actor)
