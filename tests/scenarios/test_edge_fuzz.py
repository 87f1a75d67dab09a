"""Signed but malformed deliveries, generated: both forges' endpoints answer 2xx or 400 in
words, never 5xx, and the service stays healthy. In process (no sockets), so 10,000 is fast."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.config import Settings
from app.main import create_app
from tests.fakes.github_json import PAYLOADS as GITHUB_PAYLOADS
from tests.fakes.gitlab_hooks import example

SECRET = "fuzz-secret"
CASES = 10_000
GITLAB_EVENTS = {
    "merge_request_open": "Merge Request Hook",
    "note_merge_request": "Note Hook",
    "push": "Push Hook",
}
# What a person reads; these would mean Python's own words leaked into an answer.
PYTHON_WORDS = ("Error", "Exception", "Traceback", "NoneType", "object has no attribute")


def _seeds() -> list[tuple[str, str, dict[str, Any]]]:
    """Real deliveries of both forges (and commands, which reach the most fields)."""
    found = [
        ("github", path.name.split(".")[0], json.loads(path.read_text()))
        for path in sorted(GITHUB_PAYLOADS.glob("*.json"))
    ]
    found += [("gitlab", event, example(name)) for name, event in GITLAB_EVENTS.items()]
    for forge, event, payload in list(found):
        if event == "issue_comment":
            command = json.loads(json.dumps(payload))
            command["issue"]["pull_request"] = {"url": "https://example.invalid"}
            command["comment"]["body"] = "/stackgate plan"
            found.append((forge, event, command))
        if event == "Note Hook":
            command = json.loads(json.dumps(payload))
            command["object_attributes"]["note"] = "/stackgate plan"
            found.append((forge, event, command))
    return found


SEEDS = _seeds()


def _paths(value: Any, prefix: tuple[str | int, ...] = ()) -> Iterator[tuple[str | int, ...]]:
    if isinstance(value, dict):
        for key, inner in value.items():
            yield (*prefix, key)
            yield from _paths(inner, (*prefix, key))
    elif isinstance(value, list):
        for index, inner in enumerate(value[:3]):
            yield (*prefix, index)
            yield from _paths(inner, (*prefix, index))


ODD_TEXT = st.sampled_from(["", "\x00", "\ud800", "x" * 300, "a/b", "/stackgate plan", "é"])
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    ODD_TEXT,
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=10,
)


def _at(value: Any, path: list[str | int]) -> Any:
    """What is at ``path``, or None when an earlier change took the way there away."""
    for key in path:
        if isinstance(value, dict):
            value = value.get(key)
        elif isinstance(value, list) and isinstance(key, int) and key < len(value):
            value = value[key]
        else:
            return None
    return value


PATHS = [list(_paths(payload)) for _forge, _event, payload in SEEDS]


@st.composite
def _mutated(draw: st.DrawFn) -> tuple[str, str, bytes]:
    """A real delivery with one to three fields replaced by something else, or removed."""
    index = draw(st.integers(0, len(SEEDS) - 1))
    forge, event, seed = SEEDS[index]
    payload = json.loads(json.dumps(seed))
    for _ in range(draw(st.integers(1, 3))):
        *parents, last = PATHS[index][draw(st.integers(0, len(PATHS[index]) - 1))]
        inner = _at(payload, parents)
        if isinstance(inner, dict) and draw(st.booleans()):
            inner.pop(last, None)
        elif _at(inner, [last]) is not None:
            inner[last] = draw(VALUES)
    return forge, event, json.dumps(payload).encode()


HOSTILE = st.sampled_from(
    [
        b"[" * 100_000,
        b'{"a":' * 100_000,
        b"[" + b"0," * 200_000 + b"0]",
        b'{"action": "opened", "action": "closed"}',
        b'{"n": ' + b"9" * 5000 + b"}",
        b'{"a": "\xff"}',
        b"\xef\xbb\xbf{}",
        b"",
        b"null",
        b'"text"',
        b"NaN",
    ]
)


@st.composite
def deliveries(draw: st.DrawFn) -> tuple[str, str, bytes]:
    forge = draw(st.sampled_from(["github", "gitlab"]))
    events = ["pull_request", "pull_request_review", "issue_comment", "ping", "push"]
    if forge == "gitlab":
        events = list(GITLAB_EVENTS.values())
    raw = st.tuples(
        st.just(forge),
        st.sampled_from(events),
        st.one_of(HOSTILE, st.binary(max_size=64), VALUES.map(lambda v: json.dumps(v).encode())),
    )
    drawn: tuple[str, str, bytes] = draw(st.one_of(_mutated(), raw))
    return drawn


def _headers(forge: str, event: str, body: bytes, delivery: str) -> dict[str, str]:
    if forge == "github":
        digest = hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
        return {
            "x-github-event": event,
            "x-github-delivery": delivery,
            "x-hub-signature-256": f"sha256={digest}",
        }
    return {"x-gitlab-event": event, "idempotency-key": delivery, "x-gitlab-token": SECRET}


def test_no_signed_body_gets_a_5xx_or_pythons_words(tmp_path: Path) -> None:
    configured = Settings.model_validate(
        {
            "database_url": f"sqlite:///{tmp_path / 'stackgate.db'}",
            "worker_threads": 0,
            "github_webhook_secret": SECRET,
            "github_token": "unused",
            "github_api_url": "http://127.0.0.1:9",
            "gitlab_webhook_token": SECRET,
            "gitlab_token": "unused",
            "gitlab_url": "http://127.0.0.1:9",
        }
    )
    answers: dict[int, int] = {}
    loop = asyncio.new_event_loop()
    transport = httpx.ASGITransport(app=create_app(configured))
    client = httpx.AsyncClient(transport=transport, base_url="http://stackgate")

    def post(path: str, body: bytes, headers: dict[str, str]) -> httpx.Response:
        return loop.run_until_complete(client.post(path, content=body, headers=headers))

    try:

        @settings(
            max_examples=CASES,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(
            delivery=deliveries(),
            delivery_id=st.text(st.characters(min_codepoint=33, max_codepoint=126), max_size=200),
        )
        def one(delivery: tuple[str, str, bytes], delivery_id: str) -> None:
            forge, event, body = delivery
            answer = post(f"/webhooks/{forge}", body, _headers(forge, event, body, delivery_id))
            answers[answer.status_code] = answers.get(answer.status_code, 0) + 1
            assert answer.status_code in (200, 202, 400), answer.text
            if answer.status_code == 400:
                error = answer.json()["error"]
                assert not any(word in error for word in PYTHON_WORDS), error

        one()
        assert loop.run_until_complete(client.get("/healthz")).status_code == 200
        assert loop.run_until_complete(client.get("/readyz")).status_code == 200
    finally:
        loop.run_until_complete(client.aclose())
        loop.close()
    assert sum(answers.values()) >= CASES
    assert {200, 400} <= set(answers)  # both the ignored and the refused were reached
