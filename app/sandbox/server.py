"""Serve the sandbox over HTTP at /client/api, in the foreground or on a background thread."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

import app.sandbox.commands  # noqa: F401 - registers the command handlers
from app import background
from app.sandbox.api import Api
from app.sandbox.protocol import raw_params, to_xml

JSON_TYPE = "application/json; charset=UTF-8"
XML_TYPE = "text/xml; charset=UTF-8"
API_PATH = "/client/api"


def create_sandbox_app(api: Api) -> Starlette:
    async def client_api(request: Request) -> Response:
        api.in_flight += 1
        api.most_in_flight = max(api.most_in_flight, api.in_flight)
        try:
            return await answer(request)
        finally:
            api.in_flight -= 1

    async def answer(request: Request) -> Response:
        body = (await request.body()).decode("utf-8", "replace") if request.method == "POST" else ""
        raw = raw_params(request.url.query, body)
        delay = api.knobs.delay(raw.get("command", ""))
        if delay:
            await asyncio.sleep(delay)
        if api.knobs.outage():  # what a load balancer in front of the management server says
            return PlainTextResponse("Service Unavailable", status_code=503)
        status, answer = await run_in_threadpool(api.handle, raw)
        headers = _error_headers(answer) if status != 200 else {}
        if raw.get("response", "").lower() == "json":
            return Response(json.dumps(answer), status, headers, media_type=JSON_TYPE)
        ((name, inner),) = answer.items()
        xml = f'<?xml version="1.0" encoding="UTF-8"?>{to_xml(name, inner)}'
        return Response(xml, status, headers, media_type=XML_TYPE)

    async def knobs(request: Request) -> Response:
        settings: dict[str, Any] = await request.json()
        apply_knobs(api, settings)
        return JSONResponse({"ok": True})

    async def calls(_request: Request) -> Response:
        """How often each command was called: what a test cannot see in the cloud's state."""
        return JSONResponse(dict(api.calls))

    routes = [
        Route(API_PATH, client_api, methods=["GET", "POST"]),
        Route("/sandbox/knobs", knobs, methods=["POST"]),
        Route("/sandbox/calls", calls, methods=["GET"]),
    ]
    return Starlette(routes=routes)


def _error_headers(answer: dict[str, Any]) -> dict[str, str]:
    inner = next(iter(answer.values()))
    text = str(inner.get("errortext", ""))
    return {"X-Description": text.encode("latin-1", "replace").decode("latin-1")}


def apply_knobs(api: Api, settings: dict[str, Any]) -> None:
    """Knobs from a test: latency per command, failures to inject, outage rate, job duration
    (sandbox-wide, and per command), the Kubernetes Service's scanner period."""
    with api.state.lock:
        api.knobs.latency.update(settings.get("latency", {}))
        api.knobs.job_seconds.update(settings.get("job_seconds_per_command", {}))
        for failure in settings.get("fail_next", []):
            api.knobs.fail_next(**failure)
        if "outage_next" in settings:
            api.knobs.outage_next = int(settings["outage_next"])
        if "outage_rate" in settings:
            api.knobs.outage_rate = float(settings["outage_rate"])
        if "job_seconds" in settings:
            api.state.job_seconds = float(settings["job_seconds"])
        if "cks_scan_seconds" in settings:
            api.knobs.cks_scan_seconds = float(settings["cks_scan_seconds"])


@dataclass
class RunningSandbox:
    """A sandbox served on a background thread; ``url`` ends in /client/api."""

    api: Api
    served: background.BackgroundServer
    url: str

    def stop(self) -> None:
        self.served.stop()


def serve_in_background(api: Api, host: str = "127.0.0.1", port: int = 0) -> RunningSandbox:
    app = create_sandbox_app(api)
    served = background.serve_in_background(app, "cloudstack-sandbox", host, port)
    return RunningSandbox(api, served, served.base_url + API_PATH)
