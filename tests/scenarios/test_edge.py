"""The HTTP edge on its own: health, readiness, bodies that are not events, unknown forges."""

from __future__ import annotations

import dataclasses

from app.store.tables import Delivery, Job
from tests.scenarios.harness import Stackgate


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
