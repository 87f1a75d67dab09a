"""The whole service under failure: a forge that errs or loses answers, a cloud that is down,
a database restarted under busy workers, an App token that expires mid-job — each ends with the
pull request in the right state and nothing done twice."""

from __future__ import annotations

from pathlib import Path

from app.store.tables import Job
from tests.apply.cloud import KEY, SECRET, knobs
from tests.fakes.base import FailurePlan, ForgeFake
from tests.scenarios.harness import Stackgate, running
from tests.scenarios.test_pull_requests import GREEN, LABEL, RED, edit, plan_comments, states

COMMENTS = {"github": "/comments", "gitlab": "/notes"}
STATUSES = {"github": "/statuses/", "gitlab": "/statuses/"}
SETTLED = {
    "github": {"stackgate/plan": "success", "stackgate/policy": "success"},
    "gitlab": {"stackgate/plan": "success", "stackgate/policy": "success"},
}


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
    keys = {
        "cloudstack_url": f"{cloud}/client/api",
        "cloudstack_api_key": KEY,
        "cloudstack_secret_key": SECRET,
    }
    with running(fake, tmp_path, **keys) as stackgate:
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
