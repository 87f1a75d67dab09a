"""Notifications leave through the queue to real local receivers: signed, retried with the
same delivery id, never following a redirect loop or waiting on a slow receiver for long."""

from __future__ import annotations

import logging
import time
from pathlib import Path

import pytest

from app.flows.services import Services
from app.store.tables import Job
from tests.notify.conftest import FAILED, SECRET, notifying, receiver
from tests.notify.receiver import receiving


def states(services: Services) -> list[tuple[str, int]]:
    with services.sessions() as session:
        return [(job.state, job.attempts) for job in session.query(Job).filter_by(kind="notify")]


def test_a_signed_json_document_reaches_a_receiver_that_checks_its_signature(
    tmp_path: Path,
) -> None:
    with receiving() as hook, notifying(tmp_path, receiver("ops", hook.url)) as stackgate:
        assert stackgate.tell() == 1
        stackgate.drain()
    (got,) = hook.received
    assert got.signed_with(SECRET) and not got.signed_with("another-secret")
    document = got.document
    assert document["delivery"] == got.headers["X-Stackgate-Delivery"]
    assert got.headers["X-Stackgate-Event"] == "apply.failed"
    assert {k: document[k] for k in ("version", "event", "forge", "repo", "number")} == {
        "version": 1,
        "event": "apply.failed",
        "forge": "github",
        "repo": "acme/infra",
        "number": 3,
    }
    assert document["summary"] == FAILED.summary
    assert document["details"] == {"run": 7, "retry": "/stackgate apply"}
    assert states(stackgate.services) == [("done", 1)]


def test_a_receiver_that_fails_then_recovers_gets_it_once_with_the_same_delivery_id(
    tmp_path: Path,
) -> None:
    with (
        receiving([503, 200]) as hook,
        notifying(tmp_path, receiver("ops", hook.url)) as stackgate,
    ):
        stackgate.tell()
        stackgate.drain()
        assert stackgate.tell() == 0  # the same occurrence is not queued twice
        stackgate.drain()
    first, second = hook.received
    assert first.body == second.body and first.signed_with(SECRET) and second.signed_with(SECRET)
    assert first.headers["X-Stackgate-Delivery"] == second.headers["X-Stackgate-Delivery"]
    assert states(stackgate.services) == [("done", 2)]


def test_a_redirect_loop_is_not_followed_and_says_so_in_the_log(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with (
        receiving([302]) as hook,
        notifying(tmp_path, receiver("loop", hook.url)) as stackgate,
        caplog.at_level(logging.INFO, "stackgate.notify"),
    ):
        stackgate.tell()
        stackgate.drain()
    assert len(hook.received) == 1  # neither followed nor retried: a redirect will not pass
    (line,) = [r.getMessage() for r in caplog.records if r.name == "stackgate.notify"]
    assert "to 'loop': answered 302, a redirect; redirects are not followed" in line
    assert hook.url not in caplog.text
    assert states(stackgate.services) == [("failed", 1)]


def test_a_slow_receiver_is_given_up_on_after_the_timeout_and_its_retries(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with (
        receiving(delay=5.0) as hook,
        notifying(tmp_path, receiver("slow", hook.url), notify_timeout=0.2) as stackgate,
        caplog.at_level(logging.INFO, "stackgate.notify"),
    ):
        stackgate.tell()
        started = time.monotonic()
        stackgate.drain()
        assert time.monotonic() - started < 4.0  # three tries of 0.2s, not three of 5s
    said = [r.getMessage() for r in caplog.records if r.name == "stackgate.notify"]
    assert len(said) == 3 and all("to 'slow': no answer within 0.2s" in s for s in said)
    assert states(stackgate.services) == [("failed", 3)]


def test_slack_gets_its_incoming_webhook_message_unsigned_and_escaped(tmp_path: Path) -> None:
    slack = {"name": "chat", "url": "", "format": "slack"}
    with (
        receiving() as hook,
        notifying(tmp_path, slack | {"url": hook.url + "/T000/B000/XXXX"}) as stackgate,
    ):
        stackgate.tell()
        stackgate.drain()
    (got,) = hook.received
    assert got.path == "/hook/T000/B000/XXXX" and "X-Stackgate-Signature-256" not in got.headers
    message = got.document
    assert message["text"] == FAILED.summary
    section, context = message["blocks"]
    assert section["type"] == "section" and section["text"]["type"] == "mrkdwn"
    assert "insufficient capacity &lt;zone-a&gt;" in section["text"]["text"]
    assert context["type"] == "context" and "apply.failed" in context["elements"][0]["text"]


def test_a_receiver_gets_only_the_events_it_asked_for(tmp_path: Path) -> None:
    with (
        receiving() as drift_only,
        receiving() as everything,
        notifying(
            tmp_path,
            receiver("drift", drift_only.url, events=["drift.found", "drift.healed"]),
            receiver("all", everything.url),
        ) as stackgate,
    ):
        assert stackgate.tell() == 1
        stackgate.drain()
    assert drift_only.received == [] and len(everything.received) == 1
