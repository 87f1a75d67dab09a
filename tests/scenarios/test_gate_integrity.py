"""The gate's promise on each forge: what merges and applies is what policies judged and
people approved — for this head and this plan, never a stale or an unlocked one."""

from __future__ import annotations

from app.store.tables import ApplyRun
from tests.fakes.base import ForgeFake
from tests.scenarios.harness import Stackgate, example_files
from tests.scenarios.test_merges import APPLIED, MACHINES, REFUSED, command, machines, told
from tests.scenarios.test_pull_requests import (
    GREEN,
    LABEL,
    PAYMENTS,
    RED,
    edit,
    plan_comments,
    states,
)

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
    command(stackgate, repo, number, "pat", "/stackgate unlock")
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


def _repo_without(fake: ForgeFake, name: str, path: str, extra: dict[str, bytes]) -> str:
    files = {p: b for p, b in example_files().items() if p != path} | extra
    fake.create_repo(name, files)
    for user in ("alice", "pat", "lee", "maintainer"):
        fake.grant(name, user, write=True)
    fake.add_group(name, "platform", ["pat"])
    fake.add_group(name, "payments-leads", ["lee"])
    return name


NEW_PROJECT = """\
project: payments
zone: zone-a
owners: [lee]
labels: {team: payments, cost-center: "4711"}
networks:
  app-net: {offering: DefaultIsolatedNetworkOfferingWithSourceNatService, cidr: 10.1.0.0/24}
"""


def test_a_project_new_to_the_repo_needs_the_platform_team(
    fake: ForgeFake, repo: str, stackgate: Stackgate
) -> None:
    fresh = _repo_without(fake, repo + "-new", PAYMENTS, {})
    # The PR names its own owner: lee, a writer, who approves it.
    added = NEW_PROJECT
    number, delivery = fake.open_pr(fresh, "bob", {PAYMENTS: added.encode()})
    stackgate.deliver(delivery)
    stackgate.deliver(fake.approve(fresh, number, "lee"))
    assert states(fake, fresh, number)["stackgate/approval"] == RED[fake.name]
    assert "project payments is new to the repo" in plan_comments(fake, fresh, number)[0]
    stackgate.deliver(fake.approve(fresh, number, "pat"))  # in @platform
    assert states(fake, fresh, number)["stackgate/approval"] == GREEN[fake.name]


BROKEN = b"package stackgate\n\ndeny contains {\n"  # a policy that does not compile


def test_an_errored_plan_or_policy_turns_every_status_red(
    fake: ForgeFake, repo: str, stackgate: Stackgate
) -> None:
    number, delivery = fake.open_pr(repo, "bob", edit("    offering: small", "    ofering: small"))
    stackgate.deliver(delivery)
    stackgate.deliver(fake.approve(repo, number, "lee"))
    stackgate.deliver(fake.approve(repo, number, "pat"))
    assert set(states(fake, repo, number).values()) == {RED[fake.name]}
    broken = _repo_without(fake, repo + "-broken", "", {"policies/broken.rego": BROKEN})
    number, delivery = fake.open_pr(broken, "bob", edit(*LABEL))
    stackgate.deliver(delivery)
    stackgate.deliver(fake.approve(broken, number, "lee"))
    stackgate.deliver(fake.approve(broken, number, "pat"))
    found = fake.statuses(broken, fake.head_sha(broken, number))
    assert found["stackgate/plan"].state == GREEN[fake.name]
    assert found["stackgate/policy"].state == RED[fake.name]
    assert found["stackgate/approval"].state == RED[fake.name]
    assert "policy" in found["stackgate/approval"].description


def test_someone_who_pushed_a_commit_to_the_pr_cannot_approve_it(
    fake: ForgeFake, repo: str, stackgate: Stackgate
) -> None:
    number, delivery = fake.open_pr(repo, "bob", edit(*LABEL))
    stackgate.deliver(delivery)
    # lee, an owner, pushes a commit of their own to bob's PR, then approves it.
    stackgate.deliver(
        fake.push(repo, number, edit(*LABEL) | edit("web and", "web + app and"), by="lee")
    )
    stackgate.deliver(fake.approve(repo, number, "lee"))
    stackgate.deliver(fake.approve(repo, number, "pat"))
    assert states(fake, repo, number)["stackgate/approval"] == RED[fake.name]
    assert "1 approval from @payments-leads, alice" in plan_comments(fake, repo, number)[0]
    stackgate.deliver(fake.approve(repo, number, "alice"))  # an owner who wrote nothing
    assert states(fake, repo, number)["stackgate/approval"] == GREEN[fake.name]
