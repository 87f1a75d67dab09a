"""Notification settings are checked at start: a receiver that cannot be sent to is refused
with a message that names it (never its URL, which may hold a token)."""

from __future__ import annotations

import json
from collections.abc import Mapping

import pytest
from pydantic import ValidationError

from app.config import Settings
from tests.notify.conftest import SECRET, receiver


def refused(*receivers: Mapping[str, object]) -> str:
    with pytest.raises(ValidationError) as caught:
        Settings.model_validate({"notify_receivers": list(receivers)})
    return str(caught.value)


@pytest.mark.parametrize(
    "url",
    [
        "ftp://hooks.example/T0/tok3n-in-the-path",
        "file:///etc/passwd",
        "hooks.example/x",
        "http://",
    ],
)
def test_a_url_that_is_not_http_or_https_is_a_settings_error(url: str) -> None:
    said = refused(receiver("ops", url))
    assert "notification receiver 'ops': the url must be an http:// or https:// address" in said
    assert "tok3n-in-the-path" not in said


def test_the_signed_format_needs_its_secret_and_names_are_distinct() -> None:
    unsigned = {"name": "ops", "url": "https://hooks.example/in", "format": "json"}
    assert "the json format is signed, so it needs a secret" in refused(unsigned)
    twice = receiver("ops", "https://hooks.example/a")
    assert "distinct names" in refused(twice, twice)
    assert "events" in refused(receiver("ops", "https://hooks.example/a", events=["merged"]))


def test_receivers_come_from_the_environment_as_json(monkeypatch: pytest.MonkeyPatch) -> None:
    slack = {"name": "chat", "url": "https://hooks.slack.example/T0/B0/x", "format": "slack"}
    hooks = [receiver("ops", "https://ops.example/in", events=["apply.failed"]), slack]
    monkeypatch.setenv("STACKGATE_NOTIFY_RECEIVERS", json.dumps(hooks))
    monkeypatch.setenv("STACKGATE_NOTIFY_LOCK_AFTER", "7200")
    settings = Settings()
    ops, chat = settings.notify_receivers
    assert (ops.events, ops.signing_key(), chat.format) == (
        ["apply.failed"],
        SECRET.encode(),
        "slack",
    )
    assert len(chat.events) == 5 and settings.notify_lock_after == 7200
    assert "hooks.slack.example" not in repr(settings)  # the URL is a secret
