"""GitHub's merge queue: a group is gated on its own head by what its pull requests had
approved, fails on each of them with the reason when it does not hold, and is applied once,
in the queue's order, by the push that lands it; nothing stays pending for the queue."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.store.tables import ApplyRun, Lock
from tests.fakes.base import FailurePlan
from tests.fakes.github import GitHubFake
from tests.fakes.github_queue import Group
from tests.scenarios.harness import Stackgate, example_files, running
from tests.scenarios.test_domain_quota import _retail_projects, _team
from tests.scenarios.test_merges import APPLIED, machines, told
from tests.scenarios.test_pull_requests import LABEL, edit

CONTEXTS = ("stackgate/plan", "stackgate/policy", "stackgate/approval")
REFUSED = "### 🛑 stackgate: the merge queue's group"


@pytest.fixture
def repo(github: GitHubFake) -> str:
    name = "acme/queued"
    github.create_repo(name, example_files())
    for user in ("alice", "pat", "lee", "maintainer", "bob", "carol", "dana"):
        github.grant(name, user, write=True)
    github.add_group(name, "platform", ["pat"])
    github.add_group(name, "payments-leads", ["lee"])
    return name


@pytest.fixture
def stackgate(github: GitHubFake, tmp_path: Path) -> Iterator[Stackgate]:
    with running(github, tmp_path) as service:
        yield service


def _approved(
    stackgate: Stackgate, repo: str, author: str, changes: dict[str, bytes | None]
) -> int:
    github = _github(stackgate)
    number, delivery = github.open_pr(repo, author, changes)
    stackgate.deliver(delivery)
    for who in ("lee", "pat", "alice"):
        if who != author:
            stackgate.deliver(github.approve(repo, number, who))
    assert _states(github, repo, github.head_sha(repo, number)) == ["success"] * 3
    return number


def _queued(stackgate: Stackgate, repo: str, numbers: list[int]) -> Group:
    group, delivery = _github(stackgate).enqueue(repo, numbers)
    stackgate.deliver(delivery)
    return group


def _github(stackgate: Stackgate) -> GitHubFake:
    assert isinstance(stackgate.fake, GitHubFake)
    return stackgate.fake


def _states(github: GitHubFake, repo: str, sha: str) -> list[str]:
    found = github.statuses(repo, sha)
    return [found[context].state if context in found else "" for context in CONTEXTS]


def _land(stackgate: Stackgate, repo: str, group: Group) -> None:
    for delivery in _github(stackgate).land_group(repo, group):
        stackgate.deliver(delivery)


def test_a_group_of_one_is_gated_and_applied_once_on_landing(
    github: GitHubFake, repo: str, stackgate: Stackgate
) -> None:
    number = _approved(stackgate, repo, "bob", edit(*LABEL))
    group = _queued(stackgate, repo, [number])
    assert _states(github, repo, group.head_sha) == ["success"] * 3
    plan = github.statuses(repo, group.head_sha)["stackgate/plan"].description
    assert plan.startswith(f"Group of #{number}: Plan: ")
    assert stackgate.rows(ApplyRun) == [] and stackgate.rows(Lock) != []  # not yet: queued
    _land(stackgate, repo, group)
    (run,) = stackgate.rows(ApplyRun)
    assert (run.number, run.commit, run.state) == (number, group.head_sha, "done")
    assert len(told(github, repo, number, APPLIED)) == 1
    assert machines(stackgate) == {"bastion", "db-1", "web-1", "web-2"}
    assert stackgate.rows(Lock) == []


def test_a_group_of_three_applies_each_once_in_the_queue_order(
    github: GitHubFake, repo: str, stackgate: Stackgate
) -> None:
    _retail_projects(stackgate, cpu=8)
    payments = _approved(stackgate, repo, "bob", edit(*LABEL))
    team_b = _approved(stackgate, repo, "carol", _team("team-b"))
    team_a = _approved(stackgate, repo, "dana", _team("team-a"))
    order = [team_b, payments, team_a]
    group = _queued(stackgate, repo, order)
    assert _states(github, repo, group.head_sha) == ["success"] * 3
    described = github.statuses(repo, group.head_sha)["stackgate/approval"].description
    assert described == f"Required approvals present for #{team_b}, #{payments}, #{team_a}"
    _land(stackgate, repo, group)
    runs = sorted(stackgate.rows(ApplyRun), key=lambda run: run.id)
    assert [(run.number, run.commit, run.state) for run in runs] == [
        (n, group.head_sha, "done") for n in order
    ]
    assert all(len(told(github, repo, n, APPLIED)) == 1 for n in order)
    assert stackgate.rows(Lock) == []


def test_a_group_removed_from_the_queue_applies_nothing_and_keeps_its_statuses(
    github: GitHubFake, repo: str, stackgate: Stackgate, caplog: pytest.LogCaptureFixture
) -> None:
    number = _approved(stackgate, repo, "bob", edit(*LABEL))
    group = _queued(stackgate, repo, [number])
    before = github.statuses(repo, group.head_sha)
    with caplog.at_level(logging.INFO, logger="stackgate.queue"):
        stackgate.deliver(github.dequeue(repo, group))
    assert github.statuses(repo, group.head_sha) == before
    assert stackgate.rows(ApplyRun) == [] and stackgate.rows(Lock) != []
    assert f"merge group {group.head_sha[:12]} of {repo} destroyed (dequeued)" in caplog.text


def test_a_group_over_a_domain_quota_only_together_fails_on_each_pull_request(
    github: GitHubFake, repo: str, stackgate: Stackgate
) -> None:
    retail = _retail_projects(stackgate, cpu=5)  # room for both 2-core instances
    first = _approved(stackgate, repo, "carol", _team("team-a"))
    second = _approved(stackgate, repo, "dana", _team("team-b"))
    client = stackgate.services.clouds.client("default")
    # the platform team lowers the limit: each alone still fits, both together do not
    client.request("updateResourceLimit", domainid=retail["id"], resourcetype=8, max=3)
    group = _queued(stackgate, repo, [first, second])
    plan = github.statuses(repo, group.head_sha)["stackgate/plan"]
    assert plan.state == "failure"
    assert "Maximum domain resource limits" in plan.description
    for number in (first, second):
        (comment,) = told(github, repo, number, REFUSED)
        assert f"for Domain Id = {retail['id']} is exceeded" in comment
        assert "the projects stay locked" in comment
    assert stackgate.rows(ApplyRun) == [] and len(stackgate.rows(Lock)) == 2


def test_a_group_for_a_branch_stackgate_does_not_manage_fails_with_the_reason(
    github: GitHubFake, repo: str, stackgate: Stackgate
) -> None:
    number, delivery = github.open_pr(repo, "bob", edit(*LABEL))
    stackgate.deliver(delivery)
    github.retarget(repo, number, "release")
    group = _queued(stackgate, repo, [number])
    found = github.statuses(repo, group.head_sha)
    assert [found[c].state for c in CONTEXTS] == ["failure"] * 3
    assert found["stackgate/plan"].description.startswith(
        "stackgate gates merges into `main`, not `release`"
    )


def test_a_group_holding_a_pull_request_stackgate_never_planned_fails_on_the_others(
    github: GitHubFake, repo: str, stackgate: Stackgate
) -> None:
    planned = _approved(stackgate, repo, "bob", edit(*LABEL))
    unseen, _ = github.open_pr(repo, "carol", _team("team-a"))  # its delivery never came
    group = _queued(stackgate, repo, [planned, unseen])
    found = github.statuses(repo, group.head_sha)
    assert found["stackgate/plan"].state == "failure"
    assert found["stackgate/plan"].description == (
        f"#{unseen} is in the group, but stackgate never planned its head"
    )
    (comment,) = told(github, repo, planned, REFUSED)
    assert github.head_sha(repo, unseen)[:12] in comment
    assert "(projects/team-a.yaml:1:1)" in comment  # what it would change: nobody approved it


def test_a_group_whose_pull_request_lacks_an_approval_fails_on_the_approval(
    github: GitHubFake, repo: str, stackgate: Stackgate
) -> None:
    number, delivery = github.open_pr(repo, "bob", edit(*LABEL))
    stackgate.deliver(delivery)
    stackgate.deliver(github.approve(repo, number, "lee"))  # the platform team never did
    group = _queued(stackgate, repo, [number])
    assert _states(github, repo, group.head_sha) == ["success", "success", "failure"]
    approval = github.statuses(repo, group.head_sha)["stackgate/approval"].description
    assert approval.startswith(f"#{number}: Waiting for 1 approval from @platform")
    (comment,) = told(github, repo, number, REFUSED)
    assert f"#{number}: Waiting for 1 approval from @platform" in comment


def test_a_group_github_cannot_compare_ends_in_error_not_pending(
    github: GitHubFake, repo: str, stackgate: Stackgate
) -> None:
    number = _approved(stackgate, repo, "bob", edit(*LABEL))
    github.fail_next(FailurePlan(count=100, status=502, path_contains="/compare/"))
    group = _queued(stackgate, repo, [number])
    found = github.statuses(repo, group.head_sha)
    assert [found[c].state for c in CONTEXTS] == ["error"] * 3
    assert found["stackgate/plan"].description.startswith("stackgate could not check the group")
