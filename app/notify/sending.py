"""Deliver one queued notification: render, sign, POST once with a timeout and no redirects.

A failure the receiver may get over (no answer, 5xx, 429) is raised as transient, so the
queue tries again with backoff and the same delivery id; one it will not (a redirect, a
4xx) gives up at once. Logs name the receiver, never its URL: a Slack URL is its token.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from contextvars import ContextVar
from typing import Any

import httpx

from app.config import NotifyReceiver, Settings
from app.notify.formats import render
from app.notify.model import Notice

log = logging.getLogger("stackgate.notify")
_PASSING = {408, 425, 429}  # besides 5xx: statuses that say "later"
_SENDING: ContextVar[bool] = ContextVar("notify_sending", default=False)


class _QuietWhileSending(logging.Filter):
    """httpx logs each request with its full URL, and a receiver's URL is a secret (Slack's
    holds its token): while a notification is sent, ``send``'s own line says what happened."""

    def filter(self, record: logging.LogRecord) -> bool:  # noqa: ARG002 (any record)
        return not _SENDING.get()


logging.getLogger("httpx").addFilter(_QuietWhileSending())


class DeliveryFailed(Exception):
    """A notification was not delivered; ``transient``: worth another try."""

    def __init__(self, message: str, transient: bool) -> None:
        super().__init__(message)
        self.transient = transient


class Courier:
    """The one place stackgate talks to a receiver."""

    def __init__(self, timeout: float) -> None:
        self.timeout = timeout

    def post(self, url: str, body: bytes, headers: Mapping[str, str]) -> httpx.Response:
        quiet = _SENDING.set(True)
        try:
            with httpx.Client(timeout=self.timeout, follow_redirects=False) as client:
                return client.post(url, content=body, headers=dict(headers))
        finally:
            _SENDING.reset(quiet)


def send(settings: Settings, job: Mapping[str, Any]) -> None:
    """Deliver a ``notify`` job's notice to its receiver, or raise DeliveryFailed."""
    fields = dict(job)
    name, delivery = fields.pop("receiver"), fields.pop("delivery")
    notice = Notice.from_dict(fields)
    receiver = _receiver(settings, name)
    if receiver is None:
        log.warning(
            "notification %s dropped: receiver '%s' is no longer configured", delivery, name
        )
        return
    body, headers = render(receiver, notice, delivery)
    what = f"notification {delivery} ({notice.event}) to '{name}'"
    try:
        answer = Courier(settings.notify_timeout).post(
            receiver.url.get_secret_value(), body, headers
        )
    except httpx.TimeoutException:
        raise _failed(f"{what}: no answer within {settings.notify_timeout:g}s", True) from None
    except httpx.HTTPError as error:  # its text may quote the URL: only its kind is told
        raise _failed(f"{what}: could not be sent ({type(error).__name__})", True) from None
    if answer.is_redirect:
        raise _failed(
            f"{what}: answered {answer.status_code}, a redirect; redirects are not followed, "
            "so give the receiver's final address",
            False,
        )
    if answer.status_code >= 400:
        passing = answer.status_code >= 500 or answer.status_code in _PASSING
        raise _failed(f"{what}: answered {answer.status_code}", passing)
    log.info("%s delivered (%s)", what, answer.status_code)


def _receiver(settings: Settings, name: str) -> NotifyReceiver | None:
    return next((r for r in settings.notify_receivers if r.name == name), None)


def _failed(message: str, transient: bool) -> DeliveryFailed:
    log.warning("%s%s", message, "; it is tried again later" if transient else "; not retried")
    return DeliveryFailed(message, transient)
