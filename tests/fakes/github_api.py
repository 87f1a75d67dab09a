"""The fake's HTTP edge: GitHub's auth (what each kind of token may do), paging, rate-limit
headers and planned failures."""

from __future__ import annotations

import json
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tests.fakes.base import FailurePlan
from tests.fakes.github_json import Shapes
from tests.fakes.github_openapi import (
    LEDGER,
    Operation,
    check_answer,
    check_request,
    rest,
    webhooks,
)
from tests.fakes.github_state import Repo
from tests.leaks import SCANNER

_FAILURE_MESSAGES = {
    401: "Bad credentials",
    404: "Not Found",
    422: "Validation Failed",
}
_RATE_LIMITED = "API rate limit exceeded for installation ID 1."
_INTEGRATION = "Resource not accessible by integration"

# What an integration's token (an App installation's, or the GITHUB_TOKEN of an Actions job)
# needs for a route, as GitHub answers it: ``/user`` names a user, which such a token has not;
# an org's teams need the organization permission Members, which an Actions token never has.
# A user's token (a PAT) may call them all.
_NEEDS = {
    ("GET", "/user"): "user",
    ("GET", "/orgs/{org}/teams/{slug}/members"): "members",
}


class Refused(Exception):
    """Answer the call with a GitHub error body."""

    def __init__(self, status: int, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.status, self.message, self.extra = status, message, extra


@dataclass
class Call:
    request: Request
    login: str  # who the credentials belong to ("" for an App JWT)
    params: dict[str, str]
    body: Any

    def repo(self, api: FakeApi) -> Repo:
        found = api.repos.get(f"{self.params['owner']}/{self.params['name']}")
        if found is None:
            raise Refused(404, "Not Found")
        return found

    def number(self, key: str = "number") -> int:
        return int(self.params[key])


Handler = Callable[[Call], tuple[int, Any]]
Auth = Callable[[Request], str]


@dataclass
class Page:
    """A list answer; the edge cuts it into pages and writes the Link header."""

    items: list[Any]


class FakeApi:
    """State shared by the handlers and the test thread, guarded by one lock."""

    def __init__(self) -> None:
        rest(), webhooks()  # loaded once per process, here so a missing one says how to fetch it
        self.lock = threading.RLock()
        self.repos: dict[str, Repo] = {}
        self.tokens: dict[str, str] = {}  # token → login
        # an integration's token → the permissions it was given (a user's token is not here)
        self.integrations: dict[str, frozenset[str]] = {}
        self.expiries: dict[str, float] = {}  # token → time.time() it stops working
        self.failures: list[FailurePlan] = []
        self.requests: list[tuple[str, str]] = []  # (method, path+query) as received
        self.teams: dict[str, list[str]] = {}  # "org/slug" → member logins
        self.tree_limit: int | None = None  # git trees answers over this many entries truncate
        self.shapes = Shapes("http://unset")
        self.routes: list[Route] = []

    def route(self, method: str, path: str, handler: Handler, *, auth: Auth | None = None) -> None:
        """Serve ``handler``; ``auth`` names the caller (default: a token) or raises Refused."""

        async def endpoint(request: Request) -> Response:
            raw = await request.body()
            what = f"{request.method} {request.url.path}?{request.url.query}"
            SCANNER.observe("forge", what + "\n" + raw.decode("utf-8", "replace"), "github")
            with self.lock:
                return self._answer(request, raw, handler, auth or self._token_login, needs)

        needs = _NEEDS.get((method, path))
        self.routes.append(Route(path, endpoint, methods=[method]))

    def asgi(self) -> Starlette:
        anything = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"]
        return Starlette(
            routes=[*self.routes, Route("/{_:path}", self._unserved, methods=anything)]
        )

    async def _unserved(self, request: Request) -> Response:
        """A call no route takes: GitHub's 404, recorded when GitHub would refuse it too, and
        recorded as a gap of the fake when GitHub documents it."""
        raw = await request.body()
        with self.lock:
            self.requests.append((request.method, str(request.url.path)))
            try:
                op = self._documented(request, json.loads(raw) if raw else None)
                LEDGER.record([f"{op.name}: documented by GitHub, not served by the fake"])
            except Refused:
                pass  # recorded as a request GitHub would refuse
            return self._json(404, self.shapes.error(404, "Not Found"))

    def _answer(
        self, request: Request, raw: bytes, handler: Handler, auth: Auth, needs: str | None
    ) -> Response:
        url = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        self.requests.append((request.method, url))
        op: Operation | None = None
        headers: dict[str, str] = {}
        try:
            body = json.loads(raw) if raw else None
            op = self._documented(request, body)
            self._fail_if_planned(request.method, url, after=False)
            login = auth(request)
            self._refuse_integration(request, needs)
            status, body = handler(Call(request, login, dict(request.path_params), body))
            self._fail_if_planned(request.method, url, after=True)
        except Refused as refused:
            headers = {key: str(value) for key, value in refused.extra.pop("headers", {}).items()}
            status = refused.status
            body = self.shapes.error(refused.status, refused.message, **refused.extra)
        if isinstance(body, Page):
            body, headers = self._page(request, body.items)
        if op is not None:  # the fake's own answer, held to what GitHub documents for it
            LEDGER.record(check_answer(op, status, body))
        if body is None:
            return Response(status_code=status, headers=_rate_headers())
        return self._json(status, body, headers)

    def _documented(self, request: Request, body: Any) -> Operation:
        """The operation GitHub documents for the request; a request GitHub would refuse is
        recorded (the test that made it fails) and refused: 404 off the map, else 422."""
        query = request.query_params.multi_items()
        op, wrong = check_request(request.method, request.url.path, query, body)
        LEDGER.record(wrong)
        if op is None:
            raise Refused(404, "Not Found")
        if wrong:
            errors = [{"code": "invalid", "message": message} for message in wrong]
            raise Refused(422, "Validation Failed", errors=errors)
        return op

    def _fail_if_planned(self, method: str, url: str, after: bool) -> None:
        plan = next((p for p in self.failures if p.matches(method, url, after)), None)
        if plan is None:
            return
        plan.count -= 1
        if plan.count == 0:
            self.failures.remove(plan)
        headers = {key.lower(): value for key, value in plan.headers.items()}
        limited = headers.get("x-ratelimit-remaining") == "0"
        message = _RATE_LIMITED if limited else _FAILURE_MESSAGES.get(plan.status, "Server Error")
        raise Refused(plan.status, message, headers=headers)

    def _token_login(self, request: Request) -> str:
        scheme, _, credential = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() not in ("token", "bearer") or credential not in self.tokens:
            raise Refused(401, "Bad credentials")
        if time.time() >= self.expiries.get(credential, math.inf):  # an installation token's hour
            raise Refused(401, "Bad credentials")
        return self.tokens[credential]

    def _refuse_integration(self, request: Request, needs: str | None) -> None:
        """403 when an integration's token lacks what the route needs, as GitHub answers."""
        credential = request.headers.get("authorization", "").partition(" ")[2]
        granted = self.integrations.get(credential)
        if needs is not None and granted is not None and needs not in granted:
            raise Refused(403, _INTEGRATION)

    def _page(self, request: Request, items: list[Any]) -> tuple[list[Any], dict[str, str]]:
        """GitHub paging: per_page (30, max 100) and page, with a Link header PyGithub follows."""
        query = dict(request.query_params)
        per_page = min(int(query.get("per_page", 30)), 100)
        page = int(query.get("page", 1))
        last = max(1, -(-len(items) // per_page))
        links = []
        if page > 1:
            links += [(page - 1, "prev")]
        if page < last:
            links += [(page + 1, "next"), (last, "last")]
        if page > 1:
            links += [(1, "first")]
        base = f"{self.shapes.base}{request.url.path}"
        link = ", ".join(
            f'<{base}?{urlencode({**query, "per_page": per_page, "page": n})}>; rel="{rel}"'
            for n, rel in links
        )
        chunk = items[(page - 1) * per_page : page * per_page]
        return chunk, {"Link": link} if link else {}

    def _json(self, status: int, body: Any, headers: dict[str, str] | None = None) -> Response:
        return Response(
            json.dumps(body),
            status_code=status,
            media_type="application/json; charset=utf-8",
            # lower-case keys so a planned header replaces the default one, whatever its case
            headers={**_rate_headers(), **{k.lower(): v for k, v in (headers or {}).items()}},
        )


def _rate_headers() -> dict[str, str]:
    return {
        "x-ratelimit-limit": "5000",
        "x-ratelimit-remaining": "4999",
        "x-ratelimit-reset": str(int(time.time()) + 3600),
        "x-ratelimit-used": "1",
        "x-ratelimit-resource": "core",
    }
