"""The dashboard's optional guard: one shared token, as a bearer token or a Basic password.

Basic auth is accepted so that a person can open the page in a browser, which asks for it;
the user name is ignored because there is only the one token.
"""

from __future__ import annotations

import base64
import binascii
import secrets
from collections.abc import Callable

from fastapi import HTTPException, Request
from pydantic import SecretStr

CHALLENGE = {"WWW-Authenticate": 'Basic realm="stackgate"'}


def token_guard(token: SecretStr | None) -> Callable[[Request], None]:
    """A dependency that lets a request through when it carries ``token`` (or none is set)."""
    expected = token.get_secret_value().encode() if token is not None else None

    def guard(request: Request) -> None:
        if expected is None:
            return
        offered = _offered(request.headers.get("authorization", ""))
        # Constant time: how long a refusal takes says nothing of how much of a guess matched.
        if offered is None or not secrets.compare_digest(offered, expected):
            raise HTTPException(401, "a dashboard token is required", headers=CHALLENGE)

    return guard


def _offered(header: str) -> bytes | None:
    scheme, _, value = header.partition(" ")
    value = value.strip()
    if scheme.lower() == "bearer":
        return value.encode()
    if scheme.lower() == "basic":
        try:
            decoded = base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            return None
        return decoded.partition(b":")[2]
    return None
