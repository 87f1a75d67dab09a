"""The delivery series counted from zero are the ones each forge's webhook parser acts on."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import pytest

from app.events.model import Event, Ignored
from app.forges.github import webhook as github
from app.forges.gitlab import webhook as gitlab
from app.forges.payload import Malformed
from app.metrics import WEBHOOK_EVENTS

Parse = Callable[[Mapping[str, str], dict[str, Any]], Event | Ignored]
PARSERS: dict[str, tuple[str, Parse]] = {
    "github": ("x-github-event", github.parse),
    "gitlab": ("x-gitlab-event", gitlab.parse),
}


def test_every_forge_with_a_webhook_has_its_events() -> None:
    assert set(WEBHOOK_EVENTS) == set(PARSERS)


@pytest.mark.parametrize(
    ("forge", "event"),
    [(forge, event) for forge in WEBHOOK_EVENTS for event in WEBHOOK_EVENTS[forge]],
)
def test_each_event_is_one_the_parser_reads(forge: str, event: str) -> None:
    header, parse = PARSERS[forge]
    # The parser reads the event (and finds the empty body wanting) rather than pass it by.
    unread = parse({header: "no-such-event"}, {})
    assert isinstance(unread, Ignored)
    try:
        parsed = parse({header: event}, {})
    except Malformed as wanting:  # it read the event, and says which field it missed
        assert "it is missing" in str(wanting)
        return
    assert isinstance(parsed, Ignored)
    assert parsed.reason != unread.reason.replace("no-such-event", event)
