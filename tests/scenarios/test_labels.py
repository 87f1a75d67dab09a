"""Labels are policy input, so adding or removing one re-judges the PR on each forge, from the
stored plan, without reading the cloud again."""

from __future__ import annotations

import httpx

from app.sandbox.server import API_PATH
from app.store.tables import Job, PlanRecord
from tests.fakes.base import FailurePlan
from tests.scenarios.harness import Stackgate
from tests.scenarios.test_merges import approved_pr
from tests.scenarios.test_pull_requests import GREEN, LABEL, PAYMENTS, RED, edit, plan_comments

EGRESS = "  - {network: app-net, protocol: tcp, ports: 443, cidrs: [0.0.0.0/0]}\n"
NEEDS_LABEL = "needs the allow-destroy label"


def policy(stackgate: Stackgate, repo: str, number: int) -> str:
    fake = stackgate.fake
    return fake.statuses(repo, fake.head_sha(repo, number))["stackgate/policy"].state


def cloud_calls(stackgate: Stackgate) -> dict[str, int]:
    """What the sandbox was asked so far, per command."""
    sandbox = stackgate.services.clouds.sandbox
    assert sandbox is not None
    base = sandbox.url.removesuffix(API_PATH)
    calls: dict[str, int] = httpx.get(f"{base}/sandbox/calls", timeout=10).json()
    return calls


def destroying_pr(stackgate: Stackgate, repo: str) -> int:
    """The example applied, then a PR that deletes its managed egress rule, planned."""
    fake = stackgate.fake
    stackgate.deliver(fake.close(repo, approved_pr(stackgate, repo), merged=True))
    text = (edit(*LABEL)[PAYMENTS] or b"").decode()
    assert EGRESS in text
    number, delivery = fake.open_pr(repo, "bob", {PAYMENTS: text.replace(EGRESS, "").encode()})
    stackgate.deliver(delivery)
    return number


def test_a_label_rejudges_the_stored_plan_without_reading_the_cloud(
    fake, repo, stackgate: Stackgate
) -> None:
    number = destroying_pr(stackgate, repo)
    assert policy(stackgate, repo, number) == RED[fake.name]
    assert NEEDS_LABEL in plan_comments(fake, repo, number)[0]
    comments = [c.id for c in fake.comments(repo, number)]
    asked = cloud_calls(stackgate)
    assert asked.get("listEgressFirewallRules", 0) > 0  # the plan did read the cloud

    stackgate.deliver(fake.label(repo, number, "alice", "allow-destroy"))
    assert policy(stackgate, repo, number) == GREEN[fake.name]
    assert NEEDS_LABEL not in plan_comments(fake, repo, number)[0]
    assert [c.id for c in fake.comments(repo, number)] == comments  # edited in place
    assert cloud_calls(stackgate) == asked
    (current,) = [p for p in stackgate.rows(PlanRecord) if p.state == "current"]
    assert current.number == number and current.decision["deny"] == []

    stackgate.deliver(fake.label(repo, number, "alice", "allow-destroy", on=False))
    assert policy(stackgate, repo, number) == RED[fake.name]
    assert NEEDS_LABEL in plan_comments(fake, repo, number)[0]
    assert cloud_calls(stackgate) == asked


def test_a_label_on_a_pr_with_no_stored_plan_runs_the_whole_review(
    fake, repo, stackgate: Stackgate
) -> None:
    number, _unsent = fake.open_pr(repo, "bob", edit(*LABEL))
    stackgate.deliver(fake.label(repo, number, "alice", "infra"))
    (comment,) = plan_comments(fake, repo, number)
    assert "to create" in comment
    assert policy(stackgate, repo, number) == GREEN[fake.name]
    (plan,) = stackgate.rows(PlanRecord)
    assert plan.head_sha == fake.head_sha(repo, number)


def test_a_label_after_an_unplanned_push_plans_the_new_head(
    fake, repo, stackgate: Stackgate
) -> None:
    number, delivery = fake.open_pr(repo, "bob", edit(*LABEL))
    stackgate.deliver(delivery)
    fake.push(repo, number, edit(*LABEL) | edit("instances: 20", "instances: 2"))  # not sent
    stackgate.deliver(fake.label(repo, number, "alice", "infra"))
    plans = {p.head_sha: p.state for p in stackgate.rows(PlanRecord)}
    assert plans[fake.head_sha(repo, number)] == "current"
    assert policy(stackgate, repo, number) == RED[fake.name]  # the new head is over quota


def test_a_relabel_that_fails_leaves_the_policy_status_in_error(
    fake, repo, stackgate: Stackgate
) -> None:
    number, delivery = fake.open_pr(repo, "bob", edit(*LABEL))
    stackgate.deliver(delivery)
    assert policy(stackgate, repo, number) == GREEN[fake.name]
    files = "/files" if fake.name == "github" else "/diffs"
    fake.fail_next(FailurePlan(count=3, status=503, path_contains=files))
    stackgate.deliver(fake.label(repo, number, "alice", "infra"))
    assert [job.state for job in stackgate.rows(Job) if job.kind == "relabel"] == ["failed"]
    assert "could not judge the new labels" in plan_comments(fake, repo, number)[0]
    assert policy(stackgate, repo, number) in ("error", "failed")  # never the old green
