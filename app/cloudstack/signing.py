"""CloudStack request signing (``ApiServer.verifyRequest``), shared by the client and the sandbox.

The server sorts parameter names as sent, encodes each value like Java's ``URLEncoder`` with
``+`` turned into ``%20``, lower-cases the whole string and signs it with HMAC-SHA1. Python's
``quote`` leaves ``~`` alone where Java encodes it, so it is encoded here explicitly.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

EXPIRES_FORMAT = "%Y-%m-%dT%H:%M:%S+0000"


def java_quote(value: str) -> str:
    """``URLEncoder.encode(value, "UTF-8").replace("+", "%20")``."""
    return quote(value, safe="*").replace("~", "%7E")


def string_to_sign(params: Mapping[str, str]) -> str:
    pairs = sorted((k, v) for k, v in params.items() if k.lower() != "signature")
    return "&".join(f"{name}={java_quote(value)}" for name, value in pairs).lower()


def sign(params: Mapping[str, str], secret: str) -> str:
    digest = hmac.new(secret.encode(), string_to_sign(params).encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def expires_at(now: datetime, seconds: float) -> str:
    """The ``expires`` value of a signature-version-3 request valid for ``seconds`` from now."""
    return (now.astimezone(UTC) + timedelta(seconds=seconds)).strftime(EXPIRES_FORMAT)


def parse_expires(value: str) -> datetime | None:
    """Parse the formats the server accepts (ISO offset date-time, ``...+0000``); None if bad."""
    text = value.strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    for candidate in (text, text.replace(" ", "+")):  # a '+' may arrive decoded as a space
        try:
            parsed = datetime.fromisoformat(candidate)
        except ValueError:
            try:
                parsed = datetime.strptime(candidate, "%Y-%m-%dT%H:%M:%S%z")
            except ValueError:
                continue
        return parsed if parsed.tzinfo else None
    return None
