"""Many deliveries at once through the running service: every one answered 2xx is stored once
and became exactly one job, a redelivery racing its original is answered as a repeat, and each
pull request is left with its newest plan queued."""

from __future__ import annotations

import dataclasses
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

from app.jobs.queue import QUEUED
from app.store.tables import Delivery as Stored
from app.store.tables import Job
from tests.fakes.base import Delivery
from tests.scenarios.harness import Stackgate

PULLS, SENDS = 6, 15  # deliveries of each pull request, each a new event


def _anew(delivery: Delivery) -> Delivery:
    """The same event under a delivery id of its own, as the host sends a new one."""
    key = str(uuid.uuid4())
    ids = ("X-GitHub-Delivery", "X-Gitlab-Event-UUID", "Idempotency-Key")
    headers = {name: key if name in ids else value for name, value in delivery.headers.items()}
    return dataclasses.replace(delivery, headers=headers)


def _key(delivery: Delivery) -> str:
    headers = delivery.headers
    return headers.get("X-GitHub-Delivery") or headers["Idempotency-Key"]


def test_deliveries_at_once_are_each_stored_once_and_become_one_job(
    fake, repo: str, stackgate: Stackgate
) -> None:
    opened = [
        fake.open_pr(repo, "bob", {f"projects/p{n}.yaml": b"project: p\n"}) for n in range(PULLS)
    ]
    fresh = [_anew(delivery) for _number, delivery in opened for _ in range(SENDS)]
    again = fresh[::5]  # redeliveries sent while their originals may still be in flight
    with ThreadPoolExecutor(20) as pool:
        answers = list(pool.map(stackgate.send, fresh + again))
    statuses = Counter(answer.status_code for answer in answers)
    assert statuses == {202: len(fresh), 200: len(again)}
    queued_for = Counter(
        _key(sent)
        for sent, answer in zip(fresh + again, answers, strict=True)
        if answer.status_code == 202
    )
    assert set(queued_for.values()) == {1} and len(queued_for) == len(fresh)
    stored = {row.id: row.delivery_id for row in stackgate.rows(Stored)}
    assert sorted(stored.values()) == sorted(queued_for)
    jobs = stackgate.rows(Job)
    assert sorted(stored[job.delivery] for job in jobs if job.delivery) == sorted(queued_for)
    queued = Counter(job.number for job in jobs if job.state == QUEUED)
    assert queued == {number: 1 for number, _delivery in opened}
