"""Two `stackgate serve` and two `stackgate worker` processes on one PostgreSQL, two projects
with two PRs each, every delivery sent twice to different servers: every delivery answered,
every job done once, a PR's jobs in order, one apply per project at a time, and the cloud
holding each merge exactly once."""

from __future__ import annotations

import hashlib
import hmac
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from itertools import cycle, pairwise
from pathlib import Path
from typing import TypeVar

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from app.background import free_port
from app.store.database import open_store
from app.store.tables import ApplyRun, Delivery, Job, Lock, PlanRecord
from bench import soak
from tests.apply.cloud import KEY, SECRET, census, census_of
from tests.fakes.base import Delivery as Sent
from tests.fakes.github import GitHubFake
from tests.leaks import printed_to
from tests.pgserver import postgres_server
from tests.scenarios.harness import example_files
from tests.scenarios.test_pull_requests import LABEL, edit

HOOK_SECRET = "scale-out-hook-secret"
T = TypeVar("T")
REPO = "acme/infra"
COMPUTE, NETWORK = "projects/search/compute.yaml", "projects/search/network.yaml"
PAIRS = {  # project → two changes to it, by two authors: the second waits for the first
    "payments": (edit(*LABEL), edit("web and", "web, app and")),
    "search": (
        edit("role: search-node}", "role: search}", COMPUTE),
        edit("cidr: 10.2.0.0/23", "cidr: 10.2.0.0/23\n    description: search traffic", NETWORK),
    ),
}


@pytest.fixture
def database() -> Iterator[str]:
    with postgres_server() as url:
        yield url


def _env(fake: GitHubFake, database: str, sandbox: str) -> dict[str, str]:
    return {
        **os.environ,
        "STACKGATE_DATABASE_URL": database,
        "STACKGATE_GITHUB_API_URL": fake.api_url,
        "STACKGATE_GITHUB_TOKEN": fake.token,
        "STACKGATE_GITHUB_WEBHOOK_SECRET": HOOK_SECRET,
        "STACKGATE_CLOUDSTACK_URL": f"{sandbox}/client/api",
        "STACKGATE_CLOUDSTACK_API_KEY": KEY,
        "STACKGATE_CLOUDSTACK_SECRET_KEY": SECRET,
        "STACKGATE_WORKER_THREADS": "0",
    }


class Fleet:
    """The four processes, and the test's view of the shared database."""

    def __init__(self, env: dict[str, str], logs: Path) -> None:
        self.ports = [free_port(0), free_port(0)]
        self.processes: list[subprocess.Popen[bytes]] = []
        self.logs, self.output = logs, logs.open("wb")
        for port in self.ports:
            self._start(env, "serve", "--port", str(port))
        for _ in range(2):
            self._start(env, "worker", "--threads", "2")
        self.servers = cycle([f"http://127.0.0.1:{port}" for port in self.ports])
        self.sessions: sessionmaker[Session] = open_store(env["STACKGATE_DATABASE_URL"])
        self.answers: list[int] = []
        for port in self.ports:
            self._wait_ready(f"http://127.0.0.1:{port}")

    def _start(self, env: dict[str, str], *args: str) -> None:
        command = [sys.executable, "-m", "app", *args]
        self.processes.append(
            subprocess.Popen(command, env=env, stdout=self.output, stderr=subprocess.STDOUT)
        )

    @staticmethod
    def _wait_ready(base: str) -> None:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, f"{base} did not get ready"
            time.sleep(0.2)

    def send(self, delivery: Sent) -> None:
        """To one server, and again (a redelivery) to the other."""
        digest = hmac.new(HOOK_SECRET.encode(), delivery.body, hashlib.sha256).hexdigest()
        headers = {**delivery.headers, "X-Hub-Signature-256": f"sha256={digest}"}
        for _ in range(2):
            answer = httpx.post(
                next(self.servers) + delivery.path, content=delivery.body, headers=headers
            )
            self.answers.append(answer.status_code)

    def settle(self) -> None:
        deadline = time.monotonic() + 120
        while True:
            with self.sessions() as session:
                busy = session.scalars(
                    select(Job.id).where(Job.state.in_(("queued", "running")))
                ).first()
            if busy is None:
                return
            assert time.monotonic() < deadline, "the jobs did not settle"
            time.sleep(0.2)

    def rows(self, table: type[T]) -> list[T]:
        with self.sessions() as session:
            key = getattr(table, "id", None)  # in the order they were made, where rows have ids
            query = select(table) if key is None else select(table).order_by(key)
            return list(session.scalars(query))

    def stop(self) -> None:
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            process.wait(timeout=30)
        self.output.close()
        printed_to(self.logs, "scale-out fleet")
        self.sessions.kw["bind"].dispose()


def test_two_servers_and_two_workers_do_each_thing_once_and_in_order(
    github: GitHubFake, database: str, cloud: str, tmp_path: Path
) -> None:
    github.create_repo(REPO, example_files())
    for user in ("lee", "pat", "sam", "bob", "carol"):  # bob and carol: team members
        github.grant(REPO, user, write=True)
    for group, members in (("platform", "pat"), ("payments-leads", "lee"), ("search-team", "sam")):
        github.add_group(REPO, group, [members])
    fleet = Fleet(_env(github, database, cloud), tmp_path / "fleet.log")
    try:
        numbers: dict[str, list[int]] = {project: [] for project in PAIRS}
        for project, changes in PAIRS.items():
            for author, change in zip(("bob", "carol"), changes, strict=True):
                number, opened = github.open_pr(REPO, author, change)
                numbers[project].append(number)
                fleet.send(opened)
        fleet.settle()
        holders = {lock.project: lock.number for lock in fleet.rows(Lock)}
        assert set(holders) == set(PAIRS)  # one PR of each pair holds it, the other waits
        for project, pair in numbers.items():  # whichever was planned first goes first
            if pair[0] != holders[project]:
                pair.reverse()
        for turn in (0, 1):  # both projects at once: the workers share the load
            for project in PAIRS:
                for who in ("lee", "pat", "sam"):
                    fleet.send(github.approve(REPO, numbers[project][turn], who))
            fleet.settle()
            for project in PAIRS:
                fleet.send(github.close(REPO, numbers[project][turn], merged=True))
            fleet.settle()  # applied; the waiting PR was planned again meanwhile
        jobs, runs = fleet.rows(Job), fleet.rows(ApplyRun)
        deliveries, locks = fleet.rows(Delivery), fleet.rows(Lock)
        plans = {plan.number: plan for plan in fleet.rows(PlanRecord)}
    finally:
        fleet.stop()
    assert set(fleet.answers) <= {200, 202} and fleet.answers.count(202) == len(deliveries)
    assert len(deliveries) == len(fleet.answers) // 2  # each redelivery recognised as such
    assert {job.state for job in jobs} <= {"done", "superseded"}
    # A job runs again only when two workers took the same project lock at once; the loser's
    # transaction left nothing behind, so its rerun is its only effect.
    race = "Another plan took a project lock at the same moment."
    assert {job.last_error for job in jobs if job.attempts > 1} <= {race}
    for project_prs in numbers.values():
        for number in project_prs:
            bodies = [c.body for c in github.comments(REPO, number)]
            sticky = [b for b in bodies if b.startswith("<!-- stackgate")]
            applied = [b for b in bodies if b.startswith("### ✅ Applied")]
            assert (len(sticky), len(applied)) == (1, 1), (number, [b[:800] for b in bodies])
    for project, (earlier_pr, later_pr) in numbers.items():
        for number in (earlier_pr, later_pr):
            mine = [j for j in jobs if j.number == number and j.state == "done"]
            for before, after in pairwise(mine):  # in order, one at a time
                assert after.claimed_at and before.finished_at, project
                assert after.claimed_at >= before.finished_at, project
        ran = [run for run in runs if run.number in (earlier_pr, later_pr)]
        assert [(run.number, run.state) for run in ran] == [
            (earlier_pr, "done"),
            (later_pr, "done"),
        ]
        ended = ran[0].finished_at
        assert ended is not None and ran[1].started_at >= ended  # one apply per project at once
    assert locks == []
    made = [census_of(plans[numbers[project][0]].plan) for project in PAIRS]
    assert census(cloud) == {kind: sum(m[kind] for m in made) for kind in made[0]}


def test_a_short_soak_with_a_worker_killed_leaves_every_job_done_once() -> None:
    """The soak benchmark (bench/soak.py) in small: 120 deliveries, a worker killed every 3 s."""
    limits = soak.Limits(deliveries=120, seconds=60, kill_every=3, open_prs=8)
    assert soak.run(limits) == []
