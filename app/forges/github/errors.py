"""Turn whatever PyGithub or requests raise into ForgeError, saying if a retry may help."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, TypeVar

import requests
from github.GithubException import GithubException, RateLimitExceededException

from app.forges.base import ForgeError

_NOT_TRANSIENT_HINTS = {
    401: "the token or App credentials were refused",
    403: "the credentials lack a permission",
    404: "not found, or the credentials cannot see it",
    422: "GitHub refused the request as invalid",
}


T = TypeVar("T")


def unless_missing(call: Callable[[], T], default: T, statuses: tuple[int, ...] = (404,)) -> T:
    """``call()``, or ``default`` when GitHub answers that the thing is not there for us."""
    try:
        return call()
    except GithubException as error:
        if error.status in statuses:
            return default
        raise


def _never() -> bool:
    return False


@contextmanager
def translated(
    what: str, secrets: tuple[str, ...], renew: Callable[[], bool] = _never
) -> Iterator[None]:
    """Run a GitHub call; re-raise its failure as ForgeError with ``secrets`` scrubbed out.
    A 401 is worth a retry when ``renew()`` says it got rid of credentials that may be stale."""
    try:
        yield
    except ForgeError:
        raise
    except GithubException as error:
        renewed = error.status == 401 and renew()
        raise _from_github(what, error, secrets, renewed) from None
    except requests.RequestException as error:
        message = f"GitHub {what}: {type(error).__name__}: {error}"
        raise ForgeError(_scrub(message, secrets), transient=True) from None


def _from_github(
    what: str, error: GithubException, secrets: tuple[str, ...], renewed: bool = False
) -> ForgeError:
    status = error.status
    headers = _headers(error)
    transient = renewed or limited(error) or status == 429 or status >= 500
    hint = "" if transient else _NOT_TRANSIENT_HINTS.get(status, "")
    message = f"GitHub {what}: HTTP {status}" + "".join(
        f": {s}" for s in (said(error.data), hint) if s
    )
    return ForgeError(
        _scrub(message, secrets),
        transient=transient,
        retry_after=_retry_after(headers) if transient and not renewed else None,
    )


def limited(error: GithubException) -> bool:
    """Whether GitHub refused for the rate limit (403 or 429 saying so), not for a right."""
    headers = _headers(error)
    return isinstance(error, RateLimitExceededException) or (
        error.status in (403, 429)
        and (headers.get("x-ratelimit-remaining") == "0" or "retry-after" in headers)
    )


def _headers(error: GithubException) -> dict[str, str]:
    return {key.lower(): str(value) for key, value in (error.headers or {}).items()}


def said(data: Any) -> str:
    """GitHub's own one-line explanation, with the first validation error when there is one."""
    if not isinstance(data, Mapping):
        return ""
    said = str(data.get("message") or "")
    errors = data.get("errors")
    if isinstance(errors, list) and errors and isinstance(errors[0], Mapping):
        said += f" ({errors[0].get('message') or errors[0].get('code') or ''})"
    return said


def _retry_after(headers: Mapping[str, str]) -> float | None:
    """Seconds to wait: Retry-After when given, else until the rate-limit window resets."""
    try:
        if "retry-after" in headers:
            return max(0.0, float(headers["retry-after"]))
        if "x-ratelimit-reset" in headers:
            return max(0.0, float(headers["x-ratelimit-reset"]) - time.time())
    except ValueError:
        return None
    return None


def _scrub(message: str, secrets: tuple[str, ...]) -> str:
    for secret in secrets:
        if secret:
            message = message.replace(secret, "***")
    return message
