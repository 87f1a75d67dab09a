"""The merge of a 55-change PR applied by `stackgate worker` processes killed at random points
20 times, each time restarted: the apply finishes once, as one journaled run, and the cloud
holds exactly what was planned — nothing twice, nothing lost."""

from __future__ import annotations

import os
import random
import subprocess
import sys
import time
from pathlib import Path

from app.store.tables import ApplyRun, ApplyStep, Job, PlanRecord
from tests.apply.cloud import KEY, SECRET, census, census_of, knobs
from tests.fakes.github import GitHubFake
from tests.leaks import printed_to
from tests.scenarios.harness import Stackgate, example_files, running
from tests.scenarios.test_merges import APPLIED, told

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
    keys = {
        "cloudstack_url": f"{cloud}/client/api",
        "cloudstack_api_key": KEY,
        "cloudstack_secret_key": SECRET,
    }
    with running(github, tmp_path, **keys) as stackgate:
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
        assert run.state == "done" and len(steps) == 55
        assert {step.state for step in steps} == {"done"}
        assert len(told(github, REPO, number, APPLIED)) == 1
        (plan,) = stackgate.rows(PlanRecord)
        assert census(cloud) == census_of(plan.plan)
        assert "Traceback" not in log.read_text()
