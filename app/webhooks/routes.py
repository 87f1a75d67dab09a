"""POST /webhooks/{github,gitlab}: verify, normalise, record, enqueue, answer — nothing more."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session, sessionmaker

from app.events.model import Event, Ignored
from app.forges.github import webhook as github
from app.forges.gitlab import webhook as gitlab
from app.forges.payload import Malformed
from app.logs import about
from app.metrics import DELIVERIES
from app.webhooks.body import ByHeader, Check, decode, read_verified
from app.webhooks.intake import Arrival
from app.webhooks.together import GroupCommit

log = logging.getLogger("stackgate.edge")

Headers = Mapping[str, str]
LONGEST_DELIVERY_ID = 128  # what the store keeps


@dataclass(frozen=True)
class Intake:
    """What one forge's webhooks need at the edge."""

    forge: str
    proof: Callable[[Headers], Check | None]  # None: the headers cannot prove the sender
    delivery_id: Callable[[Headers], str | None]
    event_header: str
    parse: Callable[[Headers, dict[str, Any]], Event | Ignored]


def github_intake(secret: str) -> Intake:
    return Intake(
        "github",
        lambda headers: github.signature(secret, headers),
        github.delivery_id,
        "x-github-event",
        github.parse,
    )


def gitlab_intake(token: str) -> Intake:
    return Intake(
        "gitlab",
        lambda headers: ByHeader() if gitlab.verify(token, headers) else None,
        gitlab.delivery_id,
        "x-gitlab-event",
        gitlab.parse,
    )


def webhook_router(
    sessions: sessionmaker[Session], intakes: list[Intake], wake: Callable[[], None]
) -> APIRouter:
    router = APIRouter()
    together = GroupCommit(sessions)  # both forges' deliveries share its transactions
    for intake in intakes:
        router.add_api_route(
            f"/webhooks/{intake.forge}",
            _endpoint(together, intake, wake),
            methods=["POST"],
            name=f"{intake.forge}_webhook",
        )
    return router


def _endpoint(
    together: GroupCommit, intake: Intake, wake: Callable[[], None]
) -> Callable[[Request], Any]:
    async def receive(request: Request) -> JSONResponse:
        headers = {key.lower(): value for key, value in request.headers.items()}
        proof = intake.proof(headers)  # a bad token or signature header: the body stays unread
        body = None if proof is None else await read_verified(request, proof)
        if body is None:
            # Unverified senders choose their headers: they get no label of their own.
            DELIVERIES.labels(intake.forge, "unverified", "refused").inc()
            # Hanging up stops the rest of the body; keeping the connection would read it all.
            refused = {"error": "signature or token does not match"}
            return JSONResponse(refused, 401, headers={"connection": "close"})
        event_name = headers.get(intake.event_header, "unknown")[:64]
        try:
            parsed = intake.parse(headers, decode(body))
            delivery = _delivery_id(intake, headers, body)
        except Malformed as problem:
            DELIVERIES.labels(intake.forge, event_name, "malformed").inc()
            return JSONResponse({"error": str(problem)}, 400)
        receipt = await together.record(Arrival(intake.forge, delivery, event_name, parsed))
        DELIVERIES.labels(intake.forge, event_name, receipt.outcome).inc()
        with about(delivery=delivery, forge=intake.forge, event=event_name):
            log.info("delivery %s", receipt.outcome, extra={"job": receipt.body.get("queued")})
        if receipt.status == 202:
            wake()
        return JSONResponse(receipt.body, receipt.status)

    return receive


def _delivery_id(intake: Intake, headers: Headers, body: bytes) -> str:
    """The delivery's key; without one, the same bytes are the same delivery."""
    given = intake.delivery_id(headers)
    if given is not None and len(given) > LONGEST_DELIVERY_ID:
        raise Malformed(f"the delivery id header is longer than {LONGEST_DELIVERY_ID} characters")
    return given or "sha256:" + hashlib.sha256(body).hexdigest()
