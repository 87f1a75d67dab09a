"""The two shapes a notification takes on the wire: stackgate's signed JSON, and Slack's
incoming-webhook message (``text`` as the fallback, Block Kit ``blocks`` for the channel)."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

from app.config import NotifyReceiver
from app.notify.model import Notice

VERSION = 1
SIGNATURE = "X-Stackgate-Signature-256"
SECTION_LIMIT = 3000  # Slack refuses a section whose text is longer


def render(receiver: NotifyReceiver, notice: Notice, delivery: str) -> tuple[bytes, dict[str, str]]:
    """The body and headers of one delivery (the same bytes on every retry)."""
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "stackgate-notify",
        "X-Stackgate-Event": notice.event,
        "X-Stackgate-Delivery": delivery,
    }
    if receiver.format == "slack":
        return _compact(slack_message(notice, delivery)), headers
    body = _compact(json_document(notice, delivery))
    digest = hmac.new(receiver.signing_key(), body, hashlib.sha256).hexdigest()
    return body, headers | {SIGNATURE: f"sha256={digest}"}


def json_document(notice: Notice, delivery: str) -> dict[str, Any]:
    """The documented JSON document (docs/configuration.md#notifications)."""
    return {
        "version": VERSION,
        "delivery": delivery,
        "event": notice.event,
        "occurred_at": notice.occurred_at,
        "forge": notice.forge,
        "repo": notice.repo,
        "number": notice.number,
        "summary": notice.summary,
        "lines": list(notice.lines),
        "details": dict(notice.details),
    }


def slack_message(notice: Notice, delivery: str) -> dict[str, Any]:
    text = "\n".join(_escape(line) for line in (f"*{notice.summary}*", *notice.lines))
    if len(text) > SECTION_LIMIT:
        text = text[: SECTION_LIMIT - 1] + "…"
    where = f"{notice.forge}:{notice.repo}" + (f" #{notice.number}" if notice.number else "")
    context = f"{notice.event} · {_escape(where)} · delivery {delivery}"
    return {
        "text": notice.summary,  # what notifications and clients without blocks show
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": text}},
            {"type": "context", "elements": [{"type": "mrkdwn", "text": context}]},
        ],
    }


def _escape(text: str) -> str:
    """Slack reads &, < and > as markup (``<!channel>`` would ping everyone)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _compact(document: dict[str, Any]) -> bytes:
    return json.dumps(document, sort_keys=True, separators=(",", ":")).encode()
