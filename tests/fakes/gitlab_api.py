"""The fake GitLab's HTTP face: token check, planned failures, raw-path routing, pagination.

Routing reads the ASGI ``raw_path`` because python-gitlab sends project and file paths
URL-encoded (``acme%2Finfra``) and the decoded path would split them into segments.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qsl, unquote, urlencode

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.fakes.base import FailurePlan
from tests.fakes.gitlab_state import User, World
from tests.leaks import SCANNER

API = "/api/v4"
DEFAULT_PER_PAGE, MAX_PER_PAGE = 20, 100  # GitLab's defaults


class ApiError(Exception):
    """Answer ``status`` with GitLab's error body (``message``, or ``error`` for bad params)."""

    def __init__(self, status: int, message: Any, key: str = "message") -> None:
        super().__init__(message)
        self.status, self.body = status, {key: message}


@dataclass(frozen=True)
class Created:
    """A 201 answer."""

    body: dict[str, Any]


@dataclass(frozen=True)
class Call:
    world: World
    me: User  # whose token made the call
    args: tuple[str, ...]  # URL-decoded path parameters
    query: dict[str, str]
    body: dict[str, Any]
    base: str  # scheme://host:port as the client addressed us


Reply = dict[str, Any] | list[dict[str, Any]] | bytes | Created | None
Handler = Callable[[Call], Reply]
Routes = list[tuple[str, str, Handler]]  # method, path pattern after /api/v4, handler


class GitLabApi:
    def __init__(self, world: World, tokens: dict[str, User], routes: Routes) -> None:
        self.world, self.tokens = world, tokens
        self.routes = [(method, re.compile(f"^{path}$"), h) for method, path, h in routes]
        self.failures: list[FailurePlan] = []
        self.calls: list[tuple[str, str]] = []  # (method, raw path) of every request seen
        methods = ["GET", "POST", "PUT", "DELETE"]
        self.app = Starlette(routes=[Route("/{rest:path}", self._serve, methods=methods)])

    async def _serve(self, request: Request) -> Response:
        raw = request.scope["raw_path"].decode()
        self.calls.append((request.method, raw))
        sent = (await request.body()).decode("utf-8", "replace")
        query = request.scope["query_string"].decode()
        SCANNER.observe("forge", f"{request.method} {raw}?{query}\n{sent}", "gitlab")
        failure = self._planned_failure(request.method, raw, after=False)
        if failure is not None:
            return failure
        me = self.tokens.get(request.headers.get("private-token", ""))
        if me is None:
            return JSONResponse({"message": "401 Unauthorized"}, 401)
        data = await request.body()
        body = json.loads(data) if data else {}
        query = dict(parse_qsl(request.scope["query_string"].decode()))
        base = f"{request.url.scheme}://{request.headers['host']}"
        try:
            with self.world.lock:
                for method, pattern, handler in self.routes:
                    match = pattern.match(raw.removeprefix(API))
                    if method == request.method and match:
                        args = tuple(unquote(group) for group in match.groups())
                        reply = handler(Call(self.world, me, args, query, body, base))
                        lost = self._planned_failure(request.method, raw, after=True)
                        return lost or _respond(reply, raw, query, base)
            raise ApiError(404, "404 Not Found", "error")
        except ApiError as exc:
            return JSONResponse(exc.body, exc.status)

    def _planned_failure(self, method: str, raw: str, after: bool) -> Response | None:
        with self.world.lock:
            plan = next((p for p in self.failures if p.matches(method, raw, after)), None)
            if plan is None:
                return None
            plan.count -= 1
        message = {"message": f"{plan.status} {HTTPStatus(plan.status).phrase}"}
        return JSONResponse(message, plan.status, headers=plan.headers)


def _respond(reply: Reply, raw: str, query: dict[str, str], base: str) -> Response:
    if reply is None:
        return Response(status_code=204)
    if isinstance(reply, bytes):
        return Response(reply, media_type="text/plain; charset=utf-8")
    if isinstance(reply, Created):
        return JSONResponse(reply.body, 201)
    if isinstance(reply, list):
        return _page(reply, raw, query, base)
    return JSONResponse(reply)


def _page(items: list[dict[str, Any]], raw: str, query: dict[str, str], base: str) -> Response:
    """One page with GitLab's headers: X-Page…X-Total-Pages and Link prev/next/first/last."""
    per_page = min(int(query.get("per_page", DEFAULT_PER_PAGE)), MAX_PER_PAGE)
    page = max(int(query.get("page", 1)), 1)
    pages = max(math.ceil(len(items) / per_page), 1)

    def link(number: int) -> str:
        return f"{base}{raw}?{urlencode({**query, 'page': number, 'per_page': per_page})}"

    rels = [("prev", page - 1)] if page > 1 else []
    rels += [("next", page + 1)] if page < pages else []
    rels += [("first", 1), ("last", pages)]
    headers = {
        "link": ", ".join(f'<{link(number)}>; rel="{rel}"' for rel, number in rels),
        "x-page": str(page),
        "x-per-page": str(per_page),
        "x-total": str(len(items)),
        "x-total-pages": str(pages),
        "x-next-page": str(page + 1) if page < pages else "",
        "x-prev-page": str(page - 1) if page > 1 else "",
    }
    return JSONResponse(items[(page - 1) * per_page : page * per_page], headers=headers)
