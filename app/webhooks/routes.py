"""POST /webhooks/{github,gitlab}: verify, normalise, record, enqueue, answer — nothing more."""

from __future__ import annotations

import hashlib
import json
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
from app.webhooks.intake import record

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
            return JSONResponse({"error": "signature or token does not match"}, 401)
        try:
            payload = json.loads(body)
        except ValueError:
            return JSONResponse({"error": "the body is not JSON"}, 400)
        if not isinstance(payload, dict):
            return JSONResponse({"error": "the body is not a JSON object"}, 400)
        parsed = intake.parse(headers, payload)
        # A delivery without an id still deduplicates: the same bytes are the same delivery.
        delivery = intake.delivery_id(headers) or "sha256:" + hashlib.sha256(body).hexdigest()
        event_name = headers.get(intake.event_header, "unknown")
        receipt = await run_in_threadpool(
            record, sessions, intake.forge, delivery, event_name, parsed
        )
        if receipt.status == 202:
            wake()
        return JSONResponse(receipt.body, receipt.status)

    return receive
