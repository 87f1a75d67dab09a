"""The fake's integrations: a GitHub App (JWT-checked installation lookup, installation
tokens) and the GITHUB_TOKEN an Actions job gets; both are refused what GitHub refuses them."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
from starlette.requests import Request

from tests.fakes.github_api import Call, FakeApi, Refused
from tests.fakes.github_json import STAMP
from tests.fakes.github_state import next_id
from tests.leaks import SCANNER

APP_PERMISSIONS = {
    "contents": "read",
    "pull_requests": "write",
    "issues": "write",
    "statuses": "write",
    "members": "read",
}


@dataclass
class App:
    """The one App the fake knows: its id, slug and the public key its JWTs must verify with."""

    id: int
    slug: str
    public_key: str
    installations: dict[str, int] = field(default_factory=dict)  # owner → installation id
    # what the App asked for: stackgate's docs name Members (read) for `@team` approvals
    permissions: dict[str, str] = field(default_factory=lambda: dict(APP_PERMISSIONS))


ACTIONS_BOT = "github-actions[bot]"  # who an Actions job's GITHUB_TOKEN comments as


def mint(api: FakeApi, prefix: str, login: str, permissions: dict[str, str]) -> str:
    """A new integration token acting as ``login`` with ``permissions`` and nothing more."""
    token = f"{prefix}_{secrets.token_urlsafe(27)}"
    SCANNER.secret("GitHub integration token", token)
    api.tokens[token] = login
    api.integrations[token] = frozenset(permissions)
    return token


class AppGate:
    """Installs the App endpoints; they answer 401 until an App is configured."""

    def __init__(self, api: FakeApi) -> None:
        self.api = api
        self.app: App | None = None
        self.token_lifetime = timedelta(hours=1)  # GitHub's; tests shorten it
        self.issued: list[tuple[str, datetime]] = []  # installation tokens: (token, expiry)
        repo_path = "/repos/{owner}/{name}"
        api.route("GET", f"{repo_path}/installation", self._installation, auth=self._jwt)
        tokens = "/app/installations/{installation_id:int}/access_tokens"
        api.route("POST", tokens, self._access_token, auth=self._jwt)

    def _jwt(self, request: Request) -> str:
        scheme, _, credential = request.headers.get("authorization", "").partition(" ")
        if self.app is None or scheme.lower() != "bearer":
            raise Refused(401, "A JSON web token could not be decoded")
        try:
            claims = jwt.decode(credential, self.app.public_key, algorithms=["RS256"])
        except jwt.PyJWTError as error:
            raise Refused(401, f"A JSON web token could not be decoded: {error}") from None
        if claims.get("iss") != str(self.app.id):
            raise Refused(401, "'Issuer' claim ('iss') must be an Integer")
        return f"{self.app.slug}[app]"

    def _installation(self, call: Call) -> tuple[int, Any]:
        assert self.app is not None  # the JWT gate let the call in
        owner = call.params["owner"]
        call.repo(self.api)  # 404 for a repository the fake does not hold
        number = self.app.installations.setdefault(owner, next_id())
        account = self.api.shapes.user(owner)
        return 200, {
            "id": number,
            "app_id": self.app.id,
            "app_slug": self.app.slug,
            "account": account,
            "target_id": account["id"],
            "target_type": "Organization",
            "single_file_name": None,
            "repository_selection": "selected",
            "access_tokens_url": f"{self.api.shapes.base}/app/installations/{number}/access_tokens",
            "repositories_url": f"{self.api.shapes.base}/installation/repositories",
            "html_url": f"https://github.com/organizations/{owner}/settings/installations/{number}",
            "permissions": self.app.permissions,
            "events": ["pull_request", "pull_request_review", "issue_comment"],
            "created_at": STAMP,
            "updated_at": STAMP,
            "suspended_by": None,
            "suspended_at": None,
        }

    def _access_token(self, call: Call) -> tuple[int, Any]:
        assert self.app is not None
        if call.number("installation_id") not in self.app.installations.values():
            raise Refused(404, "Not Found")
        token = mint(self.api, "ghs", f"{self.app.slug}[bot]", self.app.permissions)
        expires = (datetime.now(UTC) + self.token_lifetime).replace(microsecond=0)
        self.api.expiries[token] = expires.timestamp()
        self.issued.append((token, expires))
        return 201, {
            "token": token,
            "expires_at": expires.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "permissions": self.app.permissions,
            "repository_selection": "selected",
        }
