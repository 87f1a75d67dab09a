"""The HTTP edge on its own: health, readiness, bodies that are not events, unknown forges."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.store.tables import Delivery, Job
from tests.scenarios.harness import Stackgate, running, signed


def test_health_and_readiness(stackgate: Stackgate) -> None:
    assert stackgate.http.get("/healthz").json() == {"status": "ok"}
    ready = stackgate.http.get("/readyz")
    assert ready.status_code == 200 and ready.json()["forges"] == [stackgate.fake.name]


def test_a_signed_body_that_is_not_json_is_a_400_and_not_stored(fake, stackgate: Stackgate) -> None:
    delivery = dataclasses.replace(fake.unsupported_delivery(), body=b"{not json")
    answer = stackgate.send(delivery)
    assert answer.status_code == 400 and "not JSON" in answer.json()["error"]
    listed = dataclasses.replace(fake.unsupported_delivery(), body=b"[1, 2]")
    assert stackgate.send(listed).status_code == 400
    assert stackgate.rows(Delivery) == []


def test_without_a_delivery_id_the_same_bytes_are_the_same_delivery(
    fake, stackgate: Stackgate
) -> None:
    delivery = fake.unsupported_delivery()
    headers = {
        key: value
        for key, value in delivery.headers.items()
        if key.lower() not in ("x-github-delivery", "idempotency-key", "x-gitlab-event-uuid")
    }
    bare = dataclasses.replace(delivery, headers=headers)
    assert stackgate.send(bare).status_code == 200
    again = stackgate.send(bare)
    assert again.json()["ignored"] == "delivery already received"
    (row,) = stackgate.rows(Delivery)
    assert row.delivery_id.startswith("sha256:")


def test_the_other_forges_webhook_is_not_served(fake, stackgate: Stackgate) -> None:
    other = "gitlab" if fake.name == "github" else "github"
    answer = stackgate.http.post(f"/webhooks/{other}", content=b"{}")
    assert answer.status_code == 404
    assert stackgate.rows(Job) == []


def _without(payload: dict[str, Any], *path: str) -> dict[str, Any]:
    """``payload`` with the field at ``path`` removed."""
    copied: dict[str, Any] = json.loads(json.dumps(payload))
    *parents, last = path
    inner = copied
    for key in parents:
        inner = inner[key]
    del inner[last]
    return copied


NUMBER = {"github": ("pull_request", "number"), "gitlab": ("object_attributes", "iid")}
REPOSITORY = {"github": ("repository",), "gitlab": ("project",)}


def test_a_signed_event_missing_a_field_is_a_400_that_names_it(
    fake, repo, stackgate: Stackgate
) -> None:
    _number, opened = fake.open_pr(repo, "bob", {"projects/x.yaml": b"project: x\n"})
    payload = json.loads(opened.body)
    missing = _without(payload, *REPOSITORY[fake.name])
    answer = stackgate.send(dataclasses.replace(opened, body=json.dumps(missing).encode()))
    assert answer.status_code == 400
    error = answer.json()["error"]
    assert f"field {'.'.join(REPOSITORY[fake.name])}" in error and "missing" in error
    assert "Error" not in error
    mistyped = json.loads(opened.body)
    inner = mistyped
    for key in NUMBER[fake.name][:-1]:
        inner = inner[key]
    inner[NUMBER[fake.name][-1]] = "seven"
    answer = stackgate.send(dataclasses.replace(opened, body=json.dumps(mistyped).encode()))
    assert answer.status_code == 400
    assert answer.json()["error"] == (
        f"field {'.'.join(NUMBER[fake.name])}: expected a whole number from 1 to 2147483647, "
        "got a string"
    )
    assert stackgate.rows(Delivery) == [] and stackgate.rows(Job) == []


@pytest.mark.parametrize(
    ("body", "said"),
    [
        (b"[" * 100_000, "nests arrays or objects too deeply"),
        (b'{"a": "\xff\xfe"}', "not UTF-8 text (byte 7 is not)"),
        (b'{"action": "opened", "action": "closed"}', 'repeats the key "action"'),
        (b'{"n": ' + b"9" * 5000 + b"}", "a number too long"),
    ],
)
def test_signed_bodies_no_event_has_are_a_400_in_words(
    fake, stackgate: Stackgate, body: bytes, said: str
) -> None:
    answer = stackgate.send(dataclasses.replace(fake.unsupported_delivery(), body=body))
    assert answer.status_code == 400 and said in answer.json()["error"]
    assert stackgate.http.get("/healthz").status_code == 200


def _stream(size: int) -> Iterator[bytes]:
    """``size`` bytes in 64 KiB pieces, never all at once (sent chunked: no Content-Length)."""
    piece = b" " * 65536
    for _ in range(size // len(piece)):
        yield piece


def test_a_body_over_the_limit_is_a_413_declared_or_streamed(fake, tmp_path: Path) -> None:
    with running(fake, tmp_path, webhook_body_limit=1 << 20) as stackgate:
        delivery = fake.unsupported_delivery()
        big = dataclasses.replace(delivery, body=b" " * (2 << 20))
        declared = stackgate.send(big)  # Content-Length says it all before the body is read
        assert declared.status_code == 413 and "larger than 1048576 bytes" in declared.text
        streamed = stackgate.http.post(
            delivery.path, content=_stream(2 << 20), headers=signed(delivery)
        )
        assert streamed.status_code == 413
        # Just under the limit is read and judged as usual.
        assert stackgate.send(dataclasses.replace(delivery, body=b" " * 1000 + delivery.body))
        assert stackgate.http.get("/healthz").status_code == 200


def test_a_sender_its_headers_cannot_prove_is_refused_before_the_body_is_read(
    fake, stackgate: Stackgate
) -> None:
    delivery = fake.unsupported_delivery()
    headers = signed(delivery, secret="not the secret")
    if fake.name == "github":
        headers["X-Hub-Signature-256"] = "sha256=not-a-digest"
    read: list[int] = []

    def counted() -> Iterator[bytes]:
        for piece in _stream(64 << 20):
            read.append(len(piece))
            yield piece

    answer = stackgate.http.post(delivery.path, content=counted(), headers=headers)
    assert answer.status_code == 401
    assert sum(read) < 64 << 20  # the service answered and hung up long before the end
