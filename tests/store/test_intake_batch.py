"""Deliveries recorded together in one transaction end as if recorded one after another: each
once, repeats answered as such, supersession and per-PR order unchanged; one the store refuses
fails alone; and each is answered only after the commit that holds it."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from sqlalchemy import event, select
from sqlalchemy.orm import Session, sessionmaker

from app.events.model import Change, CommandEvent, Event, Ignored, PullRequestEvent, ReviewEvent
from app.jobs.queue import QUEUED, SUPERSEDED, enqueue
from app.store.tables import Delivery, Job
from app.webhooks.intake import ALREADY_RECEIVED, Arrival, Receipt, record_all
from app.webhooks.together import GroupCommit

REPO = "acme/infra"


def _plan(number: int, sha: str = "a" * 40) -> PullRequestEvent:
    return PullRequestEvent("github", REPO, number, Change.UPDATED, sha, "alice")


def _arrival(delivery: str, parsed: Event | Ignored) -> Arrival:
    return Arrival("github", delivery, "pull_request", parsed)


def _receipts(outcomes: list[Receipt | Exception]) -> list[Receipt]:
    assert all(isinstance(outcome, Receipt) for outcome in outcomes), outcomes
    return [outcome for outcome in outcomes if isinstance(outcome, Receipt)]


@pytest.fixture
def commits(sessions: sessionmaker[Session]) -> Iterator[list[object]]:
    """The store's commits from here on: a batch written whole is one."""
    seen: list[object] = []
    count = seen.append  # one bound method: removing the listener needs the same object
    bind = sessions.kw["bind"]
    event.listen(bind, "commit", count)
    yield seen
    event.remove(bind, "commit", count)


def _jobs(sessions: sessionmaker[Session]) -> list[Job]:
    with sessions() as session:
        return list(session.scalars(select(Job).order_by(Job.id)))


def test_a_batch_records_each_delivery_once_and_answers_repeats_as_already_received(
    sessions: sessionmaker[Session], commits: list[object]
) -> None:
    stored = _receipts(record_all(sessions, [_arrival("d-0", _plan(1))]))
    batch = [
        _arrival("d-1", _plan(2)),
        _arrival("d-0", _plan(1)),  # seen in an earlier transaction
        _arrival("d-2", Ignored("a push to a branch")),
        _arrival("d-1", _plan(2)),  # the same delivery twice in this one
        _arrival("d-3", _plan(3)),
    ]
    receipts = _receipts(record_all(sessions, batch))
    assert len(commits) == 2  # the batch was written whole
    assert [receipt.outcome for receipt in receipts] == [
        "queued",
        "duplicate",
        "ignored",
        "duplicate",
        "queued",
    ]
    assert receipts[1].body == {"ignored": ALREADY_RECEIVED, "delivery": "d-0"}
    with sessions() as session:
        rows = session.scalars(select(Delivery)).all()
    assert sorted(row.delivery_id for row in rows) == ["d-0", "d-1", "d-2", "d-3"]
    jobs = _jobs(sessions)
    assert [job.id for job in jobs] == [
        stored[0].body["queued"],
        receipts[0].body["queued"],
        receipts[4].body["queued"],
    ]
    by_delivery = {row.id: row.delivery_id for row in rows}
    assert [by_delivery[job.delivery] for job in jobs if job.delivery] == ["d-0", "d-1", "d-3"]


def test_deliveries_of_one_pull_request_in_a_batch_supersede_as_if_sent_one_by_one(
    sessions: sessionmaker[Session], commits: list[object]
) -> None:
    with sessions.begin() as session:
        before = enqueue(session, "plan", "github", REPO, 7, {"n": 7})
    command = CommandEvent("github", REPO, 7, "bob", 1, "help")
    batch = [
        _arrival("d-1", ReviewEvent("github", REPO, 7, "lee")),  # retires the stored plan
        _arrival("d-2", command),  # commands retire nothing and nothing retires them
        _arrival("d-3", _plan(8)),  # another pull request: untouched
        _arrival("d-4", _plan(7, "b" * 40)),  # retires the review of this batch
        _arrival("d-5", ReviewEvent("github", REPO, 7, "pat")),
    ]
    receipts = _receipts(record_all(sessions, batch))
    assert len(commits) == 2
    ids = [int(str(receipt.body["queued"])) for receipt in receipts]
    assert ids == sorted(ids) and ids[0] > before  # the order they arrived in
    states = {job.id: job.state for job in _jobs(sessions)}
    assert states == {
        before: SUPERSEDED,
        ids[0]: SUPERSEDED,
        ids[1]: QUEUED,
        ids[2]: QUEUED,
        ids[3]: QUEUED,
        ids[4]: QUEUED,
    }
    retired = [job for job in _jobs(sessions) if job.state == SUPERSEDED]
    assert all(job.finished_at is not None for job in retired)


def test_a_delivery_the_store_refuses_fails_alone(sessions: sessionmaker[Session]) -> None:
    refused = PullRequestEvent("github", REPO, 2**64, Change.UPDATED, "c" * 40, "eve")
    batch = [_arrival("d-1", _plan(1)), _arrival("d-2", refused), _arrival("d-3", _plan(3))]
    first, failed, last = record_all(sessions, batch)
    assert isinstance(failed, Exception)
    assert isinstance(first, Receipt) and first.status == 202
    assert isinstance(last, Receipt) and last.status == 202
    with sessions() as session:
        kept = session.scalars(select(Delivery.delivery_id)).all()
    assert sorted(kept) == ["d-1", "d-3"]
    assert [job.number for job in _jobs(sessions)] == [1, 3]


def test_deliveries_arriving_together_share_a_commit_and_are_answered_after_it(
    sessions: sessionmaker[Session], commits: list[object]
) -> None:
    together = GroupCommit(sessions)
    seen_when_answered: list[bool] = []

    async def deliver(n: int) -> Receipt:
        receipt = await together.record(_arrival(f"d-{n}", _plan(n % 5 + 1)))
        with sessions() as session:  # another connection: only committed rows are visible
            found = session.scalar(select(Delivery.id).where(Delivery.delivery_id == f"d-{n}"))
        seen_when_answered.append(found is not None)
        return receipt

    async def flood() -> list[Receipt]:
        return list(await asyncio.gather(*(deliver(n) for n in range(50))))

    receipts = asyncio.run(flood())
    assert [receipt.status for receipt in receipts] == [202] * 50
    assert seen_when_answered == [True] * 50
    assert 0 < len(commits) < 50
    queued = [job for job in _jobs(sessions) if job.state == QUEUED]
    assert sorted(job.number for job in queued) == [1, 2, 3, 4, 5]  # the newest plan of each PR
