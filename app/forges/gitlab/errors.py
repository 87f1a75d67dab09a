"""Turn python-gitlab and requests failures into ForgeError, never carrying the token along."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import requests
from gitlab.exceptions import GitlabError

from app.forges.base import ForgeError

_TRANSIENT_CONNECTION = (
    requests.ConnectionError,
    requests.Timeout,
    requests.exceptions.ChunkedEncodingError,
)


class RetryAfter(threading.local):
    """The ``Retry-After`` of this thread's latest response.

    python-gitlab's exceptions keep the status and body but drop the headers, so a
    requests response hook notes the header here for the error that follows.
    """

    seconds: float | None = None

    def hook(self, response: requests.Response, *_args: Any, **_kwargs: Any) -> None:
        self.seconds = _seconds(response.headers.get("Retry-After"))


@contextmanager
def translated(token: str, retry_after: RetryAfter) -> Iterator[None]:
    """Re-raise GitLab and transport failures as ForgeError.

    ``from None``: the original exception holds the prepared request, whose headers carry
    the token; chained, it would be printed with every traceback of the ForgeError.
    """
    retry_after.seconds = None
    try:
        yield
    except GitlabError as exc:
        status = exc.response_code
        transient = status is not None and (status == 429 or status >= 500)
        wait = retry_after.seconds if transient else None
        message = f"GitLab answered {status}: {exc.error_message}"
        raise ForgeError(_scrub(message, token), transient=transient, retry_after=wait) from None
    except _TRANSIENT_CONNECTION as exc:
        message = f"GitLab unreachable: {type(exc).__name__}: {exc}"
        raise ForgeError(_scrub(message, token), transient=True) from None
    except requests.RequestException as exc:
        message = f"GitLab request failed: {type(exc).__name__}: {exc}"
        raise ForgeError(_scrub(message, token), transient=False) from None


def is_http(exc: GitlabError, status: int, text: str = "") -> bool:
    """Whether GitLab answered ``status`` with ``text`` in its message."""
    return exc.response_code == status and text in str(exc.error_message)


def _scrub(message: str, token: str) -> str:
    return message.replace(token, "[token]") if token else message


def _seconds(value: str | None) -> float | None:
    """Retry-After in seconds; the HTTP-date form is rare from GitLab and read as unknown."""
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None
