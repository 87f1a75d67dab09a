"""POST /webhooks/{github,gitlab}: verify, normalise, record, enqueue, answer — nothing more."""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from app.events.model import Event, Ignored
from app.forges.github import webhook as github
from app.forges.gitlab import webhook as gitlab
from app.logs import about
from app.metrics import DELIVERIES
from app.webhooks.intake import record

log = logging.getLogger("stackgate.edge")

Headers = Mapping[str, str]


@dataclass(frozen=True)
class Intake:
    """What one forge's webhooks need at the edge."""

    forge: str
    verify: Callable[[bytes, Headers], bool]
    delivery_id: Callable[[Headers], str | None]
    event_header: str
    parse: Callable[[Headers, dict[str, Any]], Event | Ignored]


def github_intake(secret: str) -> Intake:
    return Intake(
        "github",
        lambda body, headers: github.verify(secret, body, headers),
        github.delivery_id,
        "x-github-event",
        github.parse,
    )


def gitlab_intake(token: str) -> Intake:
    return Intake(
        "gitlab",
        lambda _body, headers: gitlab.verify(token, headers),
        gitlab.delivery_id,
        "x-gitlab-event",
        gitlab.parse,
    )


def webhook_router(
    sessions: sessionmaker[Session], intakes: list[Intake], wake: Callable[[], None]
) -> APIRouter:
    router = APIRouter()
    for intake in intakes:
        router.add_api_route(
            f"/webhooks/{intake.forge}",
            _endpoint(sessions, intake, wake),
            methods=["POST"],
            name=f"{intake.forge}_webhook",
        )
    return router


def _endpoint(
    sessions: sessionmaker[Session], intake: Intake, wake: Callable[[], None]
) -> Callable[[Request], Any]:
    async def receive(request: Request) -> JSONResponse:
        body = await request.body()
        headers = {key.lower(): value for key, value in request.headers.items()}
        if not intake.verify(body, headers):
            # Unverified senders choose their headers: they get no label of their own.
            DELIVERIES.labels(intake.forge, "unverified", "refused").inc()
            return JSONResponse({"error": "signature or token does not match"}, 401)
        event_name = headers.get(intake.event_header, "unknown")[:64]
        try:
            payload = json.loads(body)
        except ValueError:
            return _malformed(intake.forge, event_name, "the body is not JSON")
        if not isinstance(payload, dict):
            return _malformed(intake.forge, event_name, "the body is not a JSON object")
        parsed = intake.parse(headers, payload)
        # A delivery without an id still deduplicates: the same bytes are the same delivery.
        delivery = intake.delivery_id(headers) or "sha256:" + hashlib.sha256(body).hexdigest()
        receipt = await run_in_threadpool(
            record, sessions, intake.forge, delivery, event_name, parsed
        )
        DELIVERIES.labels(intake.forge, event_name, receipt.outcome).inc()
        with about(delivery=delivery, forge=intake.forge, event=event_name):
            log.info("delivery %s", receipt.outcome, extra={"job": receipt.body.get("queued")})
        if receipt.status == 202:
            wake()
        return JSONResponse(receipt.body, receipt.status)

    return receive


def _malformed(forge: str, event: str, problem: str) -> JSONResponse:
    DELIVERIES.labels(forge, event, "malformed").inc()
    return JSONResponse({"error": problem}, 400)
