"""`stackgate worker` processes SIGKILLed mid-job and restarted: the merge of a 94-change PR
killed 20 times finishes once, as one journaled run, and the cloud holds exactly what was
planned; ten reviews and ten lands, each with a kill inside, end reviewed or applied once."""

from __future__ import annotations

import os
import random
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO

from app.store.tables import ApplyRun, ApplyStep, Job, Lock, PlanRecord
from tests.apply.cloud import KEY, SECRET, census, census_of, knobs
from tests.fakes.github import GitHubFake
from tests.leaks import printed_to
from tests.scenarios.harness import Stackgate, example_files, running
from tests.scenarios.test_merges import APPLIED, told
from tests.scenarios.test_pull_requests import LABEL, edit, states

REPO = "acme/infra"
APPROVERS = ("lee", "pat", "dave", "sam")  # payments, platform, analytics, search


def _worker_env(stackgate: Stackgate, sandbox: str) -> dict[str, str]:
    settings = stackgate.services.settings
    token = settings.github_token
    secret = settings.github_webhook_secret
    assert token is not None and secret is not None
    return {
        **os.environ,
        "STACKGATE_DATABASE_URL": settings.database_url,
        "STACKGATE_GITHUB_API_URL": settings.github_api_url,
        "STACKGATE_GITHUB_TOKEN": token.get_secret_value(),
        "STACKGATE_GITHUB_WEBHOOK_SECRET": secret.get_secret_value(),
        "STACKGATE_CLOUDSTACK_URL": f"{sandbox}/client/api",
        "STACKGATE_CLOUDSTACK_API_KEY": KEY,
        "STACKGATE_CLOUDSTACK_SECRET_KEY": SECRET,
        "STACKGATE_JOB_LEASE": "2",  # a dead worker's job is taken over after 2 s
    }


def _cloud(sandbox: str) -> dict[str, object]:
    return {
        "cloudstack_url": f"{sandbox}/client/api",
        "cloudstack_api_key": KEY,
        "cloudstack_secret_key": SECRET,
    }


def test_killed_workers_finish_a_merge_once_and_exactly(
    github: GitHubFake, cloud: str, tmp_path: Path
) -> None:
    github.create_repo(REPO, example_files())
    for user in ("alice", "maintainer", *APPROVERS):
        github.grant(REPO, user, write=True)
    for group, members in (("platform", ["pat"]), ("payments-leads", ["lee"])):
        github.add_group(REPO, group, members)
    github.add_group(REPO, "data-platform", ["dave"])
    github.add_group(REPO, "search-team", ["sam"])
    with running(github, tmp_path, **_cloud(cloud)) as stackgate:
        # Touching stackgate.yaml puts every project in the plan: the whole example.
        touched = example_files()["stackgate.yaml"] + b"# every project\n"
        number, delivery = github.open_pr(REPO, "bob", {"stackgate.yaml": touched})
        stackgate.deliver(delivery)
        for who in APPROVERS:
            stackgate.deliver(github.approve(REPO, number, who))
        knobs(cloud, job_seconds=5.0)  # long enough jobs that kills land mid-job
        assert stackgate.send(github.close(REPO, number, merged=True)).status_code == 202
        env = _worker_env(stackgate, cloud)
        chance = random.Random(20261121)
        kills = 0
        log = tmp_path / "workers.log"
        with log.open("wb") as output:
            while kills < 20:
                worker = subprocess.Popen(
                    [sys.executable, "-m", "app", "worker", "--threads", "1"],
                    env=env, stdout=output, stderr=subprocess.STDOUT,
                )  # fmt: skip
                time.sleep(chance.uniform(3.0, 5.5))
                worker.kill()
                worker.wait()
                kills += 1
                if stackgate.rows(Job)[-1].state == "done":
                    break
            assert kills == 20, f"the apply finished after {kills} kills; make its jobs longer"
            knobs(cloud, job_seconds=0.0)  # the killed workers' jobs keep their 5 s; new ones not
            final = subprocess.Popen(
                [sys.executable, "-m", "app", "worker", "--threads", "1"],
                env=env, stdout=output, stderr=subprocess.STDOUT,
            )  # fmt: skip
            try:
                deadline = time.monotonic() + 240
                while stackgate.rows(Job)[-1].state != "done":
                    assert time.monotonic() < deadline, "the apply did not finish"
                    time.sleep(0.5)
            finally:
                final.terminate()
                final.wait(timeout=30)
        printed_to(log, "killed workers")
        (run,) = stackgate.rows(ApplyRun)  # resumed every time, never started over
        steps = stackgate.rows(ApplyStep)
        assert run.state == "done" and len(steps) == 94
        assert {step.state for step in steps} == {"done"}
        assert len(told(github, REPO, number, APPLIED)) == 1
        (plan,) = stackgate.rows(PlanRecord)
        assert census(cloud) == census_of(plan.plan)
        assert "Traceback" not in log.read_text()


def worker_process(
    stackgate: Stackgate, cloud: str, output: IO[bytes], lease: float = 2.0
) -> subprocess.Popen[bytes]:
    """A `stackgate worker` process on the service's database, its jobs leased ``lease`` s."""
    command = [sys.executable, "-m", "app", "worker", "--threads", "1"]
    env = _worker_env(stackgate, cloud) | {"STACKGATE_JOB_LEASE": str(lease)}
    return subprocess.Popen(command, env=env, stdout=output, stderr=subprocess.STDOUT)


def until(stackgate: Stackgate, done: Callable[[list[Job]], bool], seconds: float = 60) -> None:
    """Wait until the jobs are as ``done`` wants them."""
    deadline = time.monotonic() + seconds
    while not done(stackgate.rows(Job)):
        jobs = stackgate.rows(Job)
        assert time.monotonic() < deadline, [(j.id, j.state, j.last_error) for j in jobs]
        time.sleep(0.05)


def _team(github: GitHubFake) -> None:
    github.create_repo(REPO, example_files())
    for user in ("bob", "carol", "lee", "pat"):
        github.grant(REPO, user, write=True)
    github.add_group(REPO, "payments-leads", ["lee"])
    github.add_group(REPO, "platform", ["pat"])


class Killer:
    """`stackgate worker` processes, each SIGKILLed a moment after it started a job."""

    def __init__(self, stackgate: Stackgate, cloud: str, log: Path, seed: int) -> None:
        self.stackgate, self.cloud = stackgate, cloud
        self.output, self.chance = log.open("wb"), random.Random(seed)
        self.kills, self.log = 0, log

    def start(self) -> subprocess.Popen[bytes]:
        return worker_process(self.stackgate, self.cloud, self.output)

    def kill_mid_job(self, window: tuple[float, float]) -> None:
        """Start a worker, wait for it to claim a job, and kill it within ``window`` seconds."""
        worker = self.start()
        try:
            self.until(lambda jobs: any(j.state == "running" and j.worker for j in jobs), 60)
            time.sleep(self.chance.uniform(*window))
        finally:
            worker.kill()
            worker.wait()
        self.kills += 1

    def finish(self) -> None:
        """One worker left alone until every job is settled."""
        worker = self.start()
        try:
            self.until(lambda jobs: all(j.state not in ("queued", "running") for j in jobs), 120)
        finally:
            worker.terminate()
            worker.wait(timeout=30)

    def until(self, done: Callable[[list[Job]], bool], seconds: float) -> None:
        until(self.stackgate, done, seconds)

    def close(self) -> None:
        self.output.close()
        printed_to(self.log, "killed workers")
        assert "Traceback" not in self.log.read_text()


def test_workers_killed_mid_review_leave_every_pr_reviewed_once(
    github: GitHubFake, cloud: str, tmp_path: Path
) -> None:
    _team(github)
    with running(github, tmp_path, **_cloud(cloud)) as stackgate:
        knobs(cloud, latency={"*": 0.08})  # a review reads the cloud for about a second
        numbers = []
        for n in range(10):
            number, delivery = github.open_pr(REPO, ("bob", "carol")[n % 2], edit(*LABEL))
            assert stackgate.send(delivery).status_code == 202
            numbers.append(number)
        killer = Killer(stackgate, cloud, tmp_path / "workers.log", seed=20261206)
        try:
            while killer.kills < 10:
                killer.kill_mid_job((0.1, 1.2))
            killer.finish()
        finally:
            killer.close()
        assert [job.state for job in stackgate.rows(Job)] == ["done"] * 10
        assert max(job.attempts for job in stackgate.rows(Job)) > 1  # the kills landed mid-job
        for number in numbers:
            bodies = [c.body for c in github.comments(REPO, number)]
            assert len(bodies) == 1 and bodies[0].startswith("<!-- stackgate"), (number, bodies)
            assert states(github, REPO, number)["stackgate/plan"] in ("success", "failure")
        assert len(stackgate.rows(PlanRecord)) == 1  # the lock's holder; the others wait


def test_workers_killed_mid_land_apply_every_merge_once(
    github: GitHubFake, cloud: str, tmp_path: Path
) -> None:
    _team(github)
    with running(github, tmp_path, **_cloud(cloud)) as stackgate:
        killer = Killer(stackgate, cloud, tmp_path / "workers.log", seed=20261207)
        numbers = []
        try:
            for n in range(11):  # each merge re-labels the bastion: one update in place
                change = edit("role: bastion}", f"role: bastion, round: '{n}'}}")
                number, delivery = github.open_pr(REPO, "bob", change)
                stackgate.deliver(delivery)
                for who in ("lee", "pat") if n == 0 else ("lee",):
                    stackgate.deliver(github.approve(REPO, number, who))
                merged = github.close(REPO, number, merged=True)
                if n == 0:  # the first builds the project, unharmed
                    stackgate.deliver(merged)
                    continue
                knobs(cloud, job_seconds=1.5)  # the apply's async job runs a while
                assert stackgate.send(merged).status_code == 202
                killer.kill_mid_job((0.2, 1.4))
                knobs(cloud, job_seconds=0.0)  # the killed worker's job keeps its 1.5 s
                killer.finish()
                numbers.append(number)
        finally:
            killer.close()
        runs = [run for run in stackgate.rows(ApplyRun) if run.number in numbers]
        assert sorted((run.number, run.state) for run in runs) == [(n, "done") for n in numbers]
        assert {step.state for step in stackgate.rows(ApplyStep)} == {"done"}
        for number in numbers:
            assert len(told(github, REPO, number, APPLIED)) == 1
        assert stackgate.rows(Lock) == []
        jobs = stackgate.rows(Job)
        assert {job.state for job in jobs} <= {"done", "superseded"}
        lands = [job for job in jobs if job.kind == "close" and job.number in numbers]
        assert all(job.attempts > 1 for job in lands)  # every kill landed mid-apply
