"""The whole service under failure: a forge that errs or loses answers, a cloud that is down,
a database restarted under busy workers, an App token that expires mid-job — each ends with the
pull request in the right state and nothing done twice."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

from app.jobs.worker import STORE_DOWN
from app.store.tables import Job, PlanRecord
from tests.apply.cloud import knobs
from tests.fakes.base import FailurePlan, ForgeFake
from tests.fakes.github import GitHubFake
from tests.forges.github.test_app_auth import APP_ID, pem_pair
from tests.leaks import printed_to
from tests.pgserver import postgres
from tests.scenarios.harness import REPO, Stackgate, example_files, running
from tests.scenarios.test_pull_requests import GREEN, LABEL, RED, edit, plan_comments, states
from tests.scenarios.test_worker_kills import _cloud, until, worker_process

COMMENTS = {"github": "/comments", "gitlab": "/notes"}
STATUSES = {"github": "/statuses/", "gitlab": "/statuses/"}
BUSY = ("queued", "running")


def test_lost_and_failed_forge_answers_are_retried_into_one_comment(
    fake: ForgeFake, repo: str, stackgate: Stackgate
) -> None:
    number, delivery = fake.open_pr(repo, "bob", edit(*LABEL))
    comments, statuses = COMMENTS[fake.name], STATUSES[fake.name]
    # A status is set but its answer is lost (a bad gateway); the next attempt posts the
    # comment, and the gateway times out before that answer comes back too.
    fake.fail_next(FailurePlan(1, 502, statuses, method="POST", after=True))
    fake.fail_next(FailurePlan(1, 504, comments, method="POST", after=True))
    assert stackgate.deliver(delivery).status_code == 202
    (job,) = stackgate.rows(Job)
    assert job.state == "done" and job.attempts == 3, (job.state, job.attempts, job.last_error)
    assert len(plan_comments(fake, repo, number)) == 1
    assert len(fake.comments(repo, number)) == 1  # no failure notice left either
    assert states(fake, repo, number) == {
        "stackgate/plan": GREEN[fake.name],
        "stackgate/policy": GREEN[fake.name],
        "stackgate/approval": RED[fake.name],
    }


def test_a_cloud_that_is_down_says_so_and_the_review_completes_when_it_is_back(
    fake: ForgeFake, repo: str, cloud: str, tmp_path: Path
) -> None:
    with running(fake, tmp_path, **_cloud(cloud)) as stackgate:
        number, delivery = fake.open_pr(repo, "bob", edit(*LABEL))
        knobs(cloud, outage_rate=1.0)  # every call answered 503 by the load balancer
        assert stackgate.send(delivery).status_code == 202
        assert stackgate.worker.run_once()
        (job,) = stackgate.rows(Job)
        assert job.state == "queued" and "CloudStack did not answer" in (job.last_error or "")
        said = fake.statuses(repo, fake.head_sha(repo, number))["stackgate/plan"]
        assert said.state in ("error", "failed") and "CloudStack did not answer" in said.description
        assert "Retrying in" in said.description
        assert plan_comments(fake, repo, number) == []
        knobs(cloud, outage_rate=0.0)
        stackgate.drain()
        (job,) = stackgate.rows(Job)
        assert (job.state, job.attempts) == ("done", 2)
        assert len(plan_comments(fake, repo, number)) == 1
        assert states(fake, repo, number)["stackgate/plan"] == GREEN[fake.name]


def test_an_app_token_that_expires_mid_job_is_refreshed(
    github: GitHubFake, cloud: str, tmp_path: Path
) -> None:
    private, public = pem_pair()
    github.enable_app(APP_ID, public, slug="stackgate")
    github.create_repo(REPO, example_files())
    github.grant(REPO, "bob", write=True)
    github.add_group(REPO, "payments-leads", ["lee"])
    app = {"github_token": None, "github_app_id": APP_ID, "github_app_private_key": private}
    with running(github, tmp_path, **app, **_cloud(cloud)) as stackgate:
        number, delivery = github.open_pr(REPO, "bob", edit(*LABEL))
        knobs(cloud, latency={"listZones": 1.0})  # the job is mid-way while the cloud is read
        assert stackgate.send(delivery).status_code == 202
        seen = len(github.api.requests)
        job = threading.Thread(target=stackgate.drain)
        job.start()
        pull = f"/repos/{REPO}/pulls/{number}"
        while not any(path.startswith(pull) for _, path in github.api.requests[seen:]):
            assert job.is_alive(), "the job ended before it read the pull request"
            time.sleep(0.01)
        with github.api.lock:  # the token GitHub gave is now refused (expired, or revoked)
            for token, _expiry in github.apps.issued:
                github.api.expiries[token] = time.time()
        job.join(timeout=60)
        (done,) = stackgate.rows(Job)
        assert done.state == "done", (done.state, done.attempts, done.last_error)
        assert len(github.apps.issued) == 2  # a new token was asked for
        (comment,) = github.comments(REPO, number)
        assert comment.author == "stackgate[bot]" and comment.body.startswith("<!-- stackgate:plan")
        assert states(github, REPO, number)["stackgate/plan"] == "success"


def test_a_database_restarted_under_two_busy_workers_loses_and_repeats_nothing(
    github: GitHubFake, cloud: str, tmp_path: Path
) -> None:
    github.create_repo(REPO, example_files())
    for user in ("bob", "carol", "lee"):
        github.grant(REPO, user, write=True)
    github.add_group(REPO, "payments-leads", ["lee"])
    with (
        postgres() as database,
        running(github, tmp_path, database_url=database.url, **_cloud(cloud)) as stackgate,
    ):
        knobs(cloud, latency={"*": 0.2})  # each review reads the cloud for a few seconds
        numbers = []
        for author in ("bob", "carol", "bob", "carol"):
            number, delivery = github.open_pr(REPO, author, edit(*LABEL))
            assert stackgate.send(delivery).status_code == 202
            numbers.append(number)
        log = tmp_path / "workers.log"
        with log.open("wb") as output:
            workers = [worker_process(stackgate, cloud, output, lease=15) for _ in range(2)]
            try:
                until(stackgate, lambda jobs: sum(j.state == "running" for j in jobs) == 2)
                # both workers are mid-job: their sessions are cut, and for 4 s nobody answers
                database.restart(down=4.0)
                until(stackgate, lambda jobs: all(j.state not in BUSY for j in jobs), 120)
            finally:
                for worker in workers:
                    worker.terminate()
                    worker.wait(timeout=30)
        printed_to(log, "workers under a database restart")
        jobs = stackgate.rows(Job)
        assert [job.state for job in jobs] == ["done"] * 4, [(j.state, j.last_error) for j in jobs]
        for number in numbers:  # one sticky comment each, no failure notice, one plan
            bodies = [c.body for c in github.comments(REPO, number)]
            assert len(bodies) == 1 and bodies[0].startswith("<!-- stackgate"), bodies
            assert "could not" not in bodies[0]
        # the PR planned first holds the project; the others are told so and store no plan
        assert [plan.number in numbers for plan in stackgate.rows(PlanRecord)] == [True]
        said = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
        assert not [line for line in said if "internal error" in line["message"]]
        done = sorted(line["job"] for line in said if line["message"].startswith("job done"))
        assert done == sorted(job.id for job in jobs)  # each finished once, none taken for orphaned
        cut = [job for job in jobs if job.attempts > 1]
        assert cut and all(job.last_error == STORE_DOWN.message for job in cut)
