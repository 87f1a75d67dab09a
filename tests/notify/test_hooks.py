"""The flows tell receivers what happened, on each forge: an apply finished, an apply failed
(with the retry command), drift found and healed, a lock held too long. A receiver in a
redirect loop is logged and never holds up the apply or the retry."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update

from app.jobs.queue import now
from app.notify import drift_found, overdue_locks
from app.store.drift import record_drift
from app.store.tables import Job, Lock
from tests.fakes.base import ForgeFake
from tests.notify.conftest import SECRET, notifying, receiver
from tests.notify.receiver import Receiver, receiving
from tests.scenarios import conftest as scenario_fixtures
from tests.scenarios import test_reconcile as reconcile_scenarios
from tests.scenarios.harness import Stackgate, running
from tests.scenarios.test_merges import APPLIED, UNFINISHED, told
from tests.scenarios.test_pull_requests import PAYMENTS
from tests.scenarios.test_reconcile import HEAL, drop_egress, merged, payments, run_reconcile

fake = scenario_fixtures.fake  # each forge's fake, as the scenarios have it
repo = reconcile_scenarios.repo  # the example repo with payments alone


@pytest.fixture
def hook() -> Iterator[Receiver]:
    with receiving() as made:
        yield made


@pytest.fixture
def loop() -> Iterator[Receiver]:
    with receiving([302]) as made:
        yield made


@pytest.fixture
def stackgate(
    fake: ForgeFake, tmp_path: Path, hook: Receiver, loop: Receiver
) -> Iterator[Stackgate]:
    receivers = [receiver("ops", hook.url), receiver("loop", loop.url, events=["apply.failed"])]
    with running(fake, tmp_path, reconcile_interval=3600, notify_receivers=receivers) as service:
        yield service


def told_events(hook: Receiver) -> list[tuple[str, Any]]:
    assert all(got.signed_with(SECRET) for got in hook.received)
    return [(got.document["event"], got.document) for got in hook.received]


def test_an_apply_the_drift_after_it_and_its_heal_are_told(
    fake: ForgeFake,
    repo: str,
    stackgate: Stackgate,
    hook: Receiver,
) -> None:
    number = merged(stackgate, repo, HEAL)
    ((event, applied),) = told_events(hook)
    assert event == "apply.finished" and applied["number"] == number
    assert applied["repo"] == repo and applied["forge"] == fake.name
    assert applied["summary"].startswith("Applied ") and applied["details"]["done"]
    drop_egress(stackgate)
    with stackgate.services.sessions.begin() as session:
        session.query(Job).filter(Job.kind == "reconcile").delete()
    assert run_reconcile(stackgate) == 1
    found, healed = told_events(hook)[1:]
    assert found[0] == "drift.found" and healed[0] == "drift.healed"
    (item,) = found[1]["details"]["drift"]
    assert (item["address"], item["kind"]) == (
        "payments/egress/app-net:tcp:443:0.0.0.0/0",
        "missing",
    )
    assert healed[1]["details"]["healed"] == ["payments/egress/app-net:tcp:443:0.0.0.0/0"]


def test_a_failed_apply_is_told_with_the_retry_and_a_redirecting_receiver_holds_nothing_up(
    fake: ForgeFake,
    repo: str,
    stackgate: Stackgate,
    hook: Receiver,
    loop: Receiver,
    caplog: pytest.LogCaptureFixture,
) -> None:
    number, delivery = fake.open_pr(repo, "bob", {PAYMENTS: payments().encode()})
    stackgate.deliver(delivery)
    for who in ("lee", "pat"):
        stackgate.deliver(fake.approve(repo, number, who))
    stackgate.services.clouds.client("default")  # starts the sandbox
    sandbox = stackgate.services.clouds.sandbox
    assert sandbox is not None
    refusal = "Unable to create a deployment for VM: insufficient capacity in zone"
    sandbox.api.knobs.fail_next("deployVirtualMachine", 1, 530, refusal, in_job=True)
    with caplog.at_level(logging.INFO, "stackgate.notify"):
        stackgate.deliver(fake.close(repo, number, merged=True))
    assert len(told(fake, repo, number, UNFINISHED)) == 1
    ((event, failed),) = told_events(hook)
    assert event == "apply.failed" and failed["details"]["retry"] == "/stackgate apply"
    assert any(refusal in line for line in failed["lines"])
    assert "comment `/stackgate apply`" in failed["lines"][-1]
    assert len(loop.received) == 1  # tried once: a redirect is not followed
    assert "to 'loop': answered 302, a redirect; redirects are not followed" in caplog.text
    stackgate.deliver(fake.comment(repo, number, "alice", "/stackgate apply")[1])
    assert len(told(fake, repo, number, APPLIED)) == 1
    assert [event for event, _ in told_events(hook)] == ["apply.failed", "apply.finished"]


def test_a_lock_held_too_long_is_told_once_per_hold(tmp_path: Path) -> None:
    with (
        receiving() as hook,
        notifying(tmp_path, receiver("ops", hook.url), notify_lock_after=3600) as stackgate,
    ):
        sessions, settings = stackgate.services.sessions, stackgate.services.settings
        with sessions.begin() as session:
            for project, held_for in (("payments", 2), ("web", 0.5)):
                since = now() - timedelta(hours=held_for)
                session.add(
                    Lock(
                        forge="github",
                        repo="acme/infra",
                        project=project,
                        number=4,
                        acquired_at=since,
                    )
                )
        assert overdue_locks(sessions, settings) == 1
        assert overdue_locks(sessions, settings) == 0  # told once for this hold
        stackgate.drain()
        with sessions.begin() as session:  # released and taken again: a new hold
            session.execute(update(Lock).values(acquired_at=now() - timedelta(hours=3)))
        assert overdue_locks(sessions, settings) == 2
    first = hook.received[0].document
    assert (first["event"], first["number"], first["details"]["project"]) == (
        "lock.held",
        4,
        "payments",
    )
    assert first["summary"] == "Project payments of acme/infra held by #4 for 2.0h"


def test_drift_is_told_when_it_appears_or_changes_not_at_every_reconcile(tmp_path: Path) -> None:
    missing = {"project": "payments", "address": "payments/egress/x", "kind": "missing"}
    changed = {"project": "payments", "address": "payments/instance/web-1", "kind": "changed"}
    with notifying(tmp_path, receiver("ops", "https://ops.example/in")) as stackgate:
        sessions, settings = stackgate.services.sessions, stackgate.services.settings
        queued = []
        for items in ([], [missing], [missing], [missing, changed], []):
            with sessions.begin() as session:
                record_drift(
                    session,
                    "host/acme/infra",
                    "c0ffee",
                    "hash",
                    [i | {"detail": ""} for i in items],
                    0,
                )
                drift_found(session, settings, "github", "acme/infra", "host/acme/infra")
            with sessions() as session:
                queued.append(session.query(Job).filter_by(kind="notify").count())
    assert queued == [0, 1, 1, 2, 2]
