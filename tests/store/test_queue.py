"""The queue: per-PR order, supersession, retries, abandoned jobs, and no double claims."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from app.jobs import queue, worker
from app.store.tables import Job


def _add(sessions: sessionmaker[Session], kind: str, number: int = 1, repo: str = "acme/infra"):
    with sessions.begin() as session:
        return queue.enqueue(session, kind, "github", repo, number, {"n": number})


def _states(sessions: sessionmaker[Session]) -> dict[int, str]:
    with sessions() as session:
        return {job.id: job.state for job in session.scalars(select(Job))}


def test_jobs_of_one_pull_request_run_one_at_a_time_in_order(sessions) -> None:
    first = _add(sessions, "command", 1)
    second = _add(sessions, "command", 1)
    other = _add(sessions, "command", 2)
    claimed = queue.claim(sessions, "w1")
    assert claimed is not None and claimed.id == first
    # PR 1's second job waits for the first; PR 2 is free to go.
    nxt = queue.claim(sessions, "w2")
    assert nxt is not None and nxt.id == other
    assert queue.claim(sessions, "w3") is None
    queue.finish(sessions, first, "w1")
    last = queue.claim(sessions, "w1")
    assert last is not None and last.id == second and last.attempts == 1


def test_a_new_plan_supersedes_queued_plans_and_reviews_but_not_commands(sessions) -> None:
    old_plan = _add(sessions, "plan")
    review = _add(sessions, "review")
    command = _add(sessions, "command")
    new_plan = _add(sessions, "plan")
    states = _states(sessions)
    assert states[old_plan] == states[review] == "superseded"
    assert states[command] == states[new_plan] == "queued"


def test_relabels_give_way_to_a_newer_relabel_a_plan_or_a_close_but_retire_no_plan(
    sessions,
) -> None:
    # each reads the PR's labels when it runs, so a queued relabel before it has nothing to add
    for newer in ("relabel", "plan", "close"):
        relabel = _add(sessions, "relabel")
        later = _add(sessions, newer)
        assert _states(sessions)[relabel] == "superseded", newer
        assert _states(sessions)[later] == "queued"
        with sessions.begin() as session:
            session.execute(update(Job).values(state="done"))
    # a queued plan may be for a new base the stored plan never saw: a relabel leaves it be
    plan = _add(sessions, "plan")
    _add(sessions, "relabel")
    assert _states(sessions)[plan] == "queued"


def test_a_running_plan_is_not_superseded(sessions) -> None:
    running = _add(sessions, "plan")
    assert queue.claim(sessions, "w") is not None
    _add(sessions, "plan")
    assert _states(sessions)[running] == "running"


def test_a_close_supersedes_queued_plans(sessions) -> None:
    plan = _add(sessions, "plan")
    close = _add(sessions, "close")
    assert _states(sessions) == {plan: "superseded", close: "queued"}


def test_retry_later_waits_and_keeps_later_jobs_of_the_pr_waiting(sessions) -> None:
    first = _add(sessions, "command")
    _add(sessions, "command")
    work = queue.claim(sessions, "w")
    assert work is not None
    queue.retry_later(sessions, first, "w", 60, "forge down")
    assert queue.claim(sessions, "w") is None  # not due yet, and the next one is behind it
    with sessions.begin() as session:
        session.execute(
            update(Job).where(Job.id == first).values(run_after=queue.now() - timedelta(seconds=1))
        )
    again = queue.claim(sessions, "w")
    assert again is not None and again.id == first and again.attempts == 2
    with sessions() as session:
        assert session.get(Job, first).last_error == "forge down"


def test_give_up_settles_the_job_and_frees_the_pr(sessions) -> None:
    first = _add(sessions, "command")
    second = _add(sessions, "command")
    queue.claim(sessions, "w")
    queue.give_up(sessions, first, "w", "no")
    assert _states(sessions)[first] == "failed"
    nxt = queue.claim(sessions, "w")
    assert nxt is not None and nxt.id == second


def test_jobs_left_running_by_a_dead_worker_are_queued_again(sessions) -> None:
    job = _add(sessions, "plan")
    queue.claim(sessions, "dead")
    assert queue.requeue_abandoned(sessions, timedelta(minutes=15)) == 0
    with sessions.begin() as session:
        session.execute(
            update(Job).where(Job.id == job).values(claimed_at=queue.now() - timedelta(hours=1))
        )
    assert queue.requeue_abandoned(sessions, timedelta(minutes=15)) == 1
    assert _states(sessions)[job] == "queued"


def test_concurrent_workers_never_claim_a_job_twice(sessions) -> None:
    made = [_add(sessions, "command", number) for number in range(60)]
    claimed: list[int] = []
    lock = threading.Lock()

    def work(name: str) -> None:
        while (job := queue.claim(sessions, name)) is not None:
            with lock:
                claimed.append(job.id)
            queue.finish(sessions, job.id, name)

    threads = [threading.Thread(target=work, args=(f"w{n}",)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(claimed) == made


def test_a_worker_presumed_dead_cannot_settle_a_job_someone_else_claimed(sessions) -> None:
    job = _add(sessions, "plan")
    queue.claim(sessions, "slow")
    with sessions.begin() as session:
        session.execute(
            update(Job).where(Job.id == job).values(claimed_at=queue.now() - timedelta(hours=1))
        )
    queue.requeue_abandoned(sessions, timedelta(minutes=15))
    assert queue.claim(sessions, "fresh") is not None
    queue.finish(sessions, job, "slow")  # the slow one wakes up: too late
    assert _states(sessions)[job] == "running"
    queue.finish(sessions, job, "fresh")
    assert _states(sessions)[job] == "done"


def test_a_heartbeat_keeps_a_long_job_from_being_taken_for_orphaned(sessions) -> None:
    job = _add(sessions, "close")
    queue.claim(sessions, "busy")
    with sessions.begin() as session:  # claimed an hour ago: an apply still going
        session.execute(
            update(Job).where(Job.id == job).values(claimed_at=queue.now() - timedelta(hours=1))
        )
    queue.heartbeat(sessions, job, "someone-else")  # only the owner's beat counts
    queue.heartbeat(sessions, job, "busy")
    assert queue.requeue_abandoned(sessions, timedelta(minutes=3)) == 0
    assert _states(sessions)[job] == "running"


def test_a_worker_beats_while_its_job_runs(sessions) -> None:
    job = _add(sessions, "close")
    beats: list[object] = []

    def slow(work: queue.Work) -> None:  # an apply that takes a while
        with sessions() as session:
            first = session.get_one(Job, work.id).claimed_at
        time.sleep(0.4)
        with sessions() as session:
            beats.extend([first, session.get_one(Job, work.id).claimed_at])

    def unused(error: BaseException) -> worker.Outcome:
        raise AssertionError(f"the job failed: {error}")

    runner = worker.Worker(
        sessions,
        slow,
        unused,
        lambda _work, _message: None,
        threads=0,
        lease=timedelta(seconds=0.3),
    )
    assert runner.run_once()
    first, last = beats
    assert last > first  # type: ignore[operator]
    assert _states(sessions)[job] == "done"
