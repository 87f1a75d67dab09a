"""A merge queue landed a group on the default branch: apply its pull requests, once, in the
order the queue merged them, each told on its own pull request as any merge is."""

from __future__ import annotations

import logging

from app.events.model import PushEvent
from app.flows.groups import QUEUE, checked_group
from app.flows.land import land
from app.flows.services import Services

log = logging.getLogger("stackgate.apply")


def land_group(services: Services, event: PushEvent) -> None:
    with services.sessions() as session:
        numbers = checked_group(session, event.forge, event.repo, event.after)
    if not numbers:  # an ordinary merge (its close applies it) or a push stackgate never saw
        log.info("push to %s of %s is no merge group stackgate checked", event.branch, event.repo)
        return
    log.info(
        "merge group %s landed on %s of %s: applying %s in the queue's order",
        event.after[:12],
        event.branch,
        event.repo,
        ", ".join(f"#{n}" for n in numbers),
    )
    for number in numbers:  # each resumes, never repeats, when the job is tried again
        land(services, event.forge, event.repo, number, QUEUE, landed=event.after)
