"""The gate's promise on each forge: what merges and applies is what policies judged and
people approved — for this head and this plan, never a stale or an unlocked one."""

from __future__ import annotations

from app.store.tables import ApplyRun
from tests.fakes.base import ForgeFake
from tests.scenarios.harness import Stackgate
from tests.scenarios.test_merges import APPLIED, MACHINES, REFUSED, command, machines, told
from tests.scenarios.test_pull_requests import GREEN, LABEL, RED, edit, plan_comments, states

INSTANCES = "0"  # CloudStack's resource type number for instances (Resource.ResourceType)


def _limit_by_hand(stackgate: Stackgate, value: int) -> None:
    """An operator changes payments' instance limit in CloudStack, not through the repo."""
    client = stackgate.services.clouds.client("default")
    (project,) = client.list("listProjects", name="payments")
    client.run("updateResourceLimit", projectid=project["id"], resourcetype=INSTANCES, max=value)


def _approved(stackgate: Stackgate, repo: str) -> int:
    fake = stackgate.fake
    number, delivery = fake.open_pr(repo, "bob", edit(*LABEL))
    stackgate.deliver(delivery)
    for who in ("lee", "pat"):
        stackgate.deliver(fake.approve(repo, number, who))
    assert states(fake, repo, number)["stackgate/approval"] == GREEN[fake.name]
    return number


def test_a_replan_with_other_changes_needs_approval_again(
    fake: ForgeFake, repo: str, stackgate: Stackgate
) -> None:
    number = _approved(stackgate, repo)
    _limit_by_hand(stackgate, 5)
    # A writer who is no owner re-plans the same head: the changes now differ.
    command(stackgate, repo, number, "maintainer", "/stackgate plan")
    assert states(fake, repo, number)["stackgate/approval"] == RED[fake.name]
    assert "1 approval from @payments-leads, alice" in plan_comments(fake, repo, number)[0]
    stackgate.deliver(fake.close(repo, number, merged=True))
    (refusal,) = told(fake, repo, number, REFUSED)
    assert "approval" in refusal and "Nothing was changed in CloudStack." in refusal
    assert stackgate.rows(ApplyRun) == [] and machines(stackgate) == set()


def test_an_approval_given_again_on_the_new_plan_counts(
    fake: ForgeFake, repo: str, stackgate: Stackgate
) -> None:
    number = _approved(stackgate, repo)
    _limit_by_hand(stackgate, 5)
    command(stackgate, repo, number, "maintainer", "/stackgate plan")
    for who in ("lee", "pat"):
        stackgate.deliver(fake.approve(repo, number, who))
    assert states(fake, repo, number)["stackgate/approval"] == GREEN[fake.name]
    stackgate.deliver(fake.close(repo, number, merged=True))
    (result,) = told(fake, repo, number, APPLIED)
    assert machines(stackgate) == MACHINES and "applied" in result


def test_a_replan_with_the_same_changes_keeps_the_approvals(
    fake: ForgeFake, repo: str, stackgate: Stackgate
) -> None:
    number = _approved(stackgate, repo)
    command(stackgate, repo, number, "maintainer", "/stackgate plan")
    assert states(fake, repo, number)["stackgate/approval"] == GREEN[fake.name]


def test_an_unlocked_pr_merged_anyway_applies_nothing(
    fake: ForgeFake, repo: str, stackgate: Stackgate
) -> None:
    number = _approved(stackgate, repo)
    command(stackgate, repo, number, "maintainer", "/stackgate unlock")
    # Another PR takes payments while the first is unlocked.
    other, delivery = fake.open_pr(repo, "carol", edit("web and", "web, app and"))
    stackgate.deliver(delivery)
    stackgate.deliver(fake.close(repo, number, merged=True))
    (refusal,) = told(fake, repo, number, REFUSED)
    assert "Nothing was changed in CloudStack." in refusal
    assert "no current plan" in refusal and "unlocked" in refusal
    assert "The projects are unlocked" not in refusal
    assert stackgate.rows(ApplyRun) == [] and machines(stackgate) == set()
    # A writer's `/stackgate apply` cannot push it into the project the other PR holds.
    command(stackgate, repo, number, "pat", "/stackgate apply")
    assert stackgate.rows(ApplyRun) == [] and machines(stackgate) == set()
    assert any(f"#{other}" in body for body in told(fake, repo, number, REFUSED)[1:])
