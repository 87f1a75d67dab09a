"""A merge request behind its target is planned as its merge would land, and judged by the
target's policies as they are now, not as they were where its branch was cut."""

from __future__ import annotations

from tests.fakes.base import ForgeFake
from tests.scenarios.harness import Stackgate
from tests.scenarios.test_merges import APPLIED, told
from tests.scenarios.test_pull_requests import LABEL, RED, edit, plan_comments, states

COMPUTE, NETWORK = "projects/search/compute.yaml", "projects/search/network.yaml"
SEARCH_4 = ("  search-3: *node\n", "  search-3: *node\n  search-4: *node\n")
DESCRIBED = ("cidr: 10.2.0.0/23", "cidr: 10.2.0.0/23\n    description: search traffic")
FREEZE = b'package stackgate\n\ndeny contains {"msg": "changes are frozen this week"} if true\n'


def merged_behind(stackgate: Stackgate, repo: str, author: str, changes: dict[str, bytes | None]):
    """Another change lands on main, through stackgate and applied, after ``author``'s branch was
    cut; returns the behind merge request and its open, which stackgate hears of only now."""
    fake = stackgate.fake
    fake.add_group(repo, "search-team", ["sam"])
    fake.grant(repo, "sam", write=True)
    behind, opened = fake.open_pr(repo, author, changes)
    ahead, delivery = fake.open_pr(repo, "carol", edit(*SEARCH_4, COMPUTE))
    stackgate.deliver(delivery)
    for who in ("sam", "pat"):
        stackgate.deliver(fake.approve(repo, ahead, who))
    stackgate.deliver(fake.close(repo, ahead, merged=True, by="maintainer"))
    assert told(fake, repo, ahead, APPLIED)
    return behind, opened


def test_a_branch_behind_its_target_plans_only_its_own_change(
    fake: ForgeFake, repo: str, stackgate: Stackgate
) -> None:
    behind, opened = merged_behind(stackgate, repo, "bob", edit(*DESCRIBED, NETWORK))
    stackgate.deliver(opened)
    (comment,) = plan_comments(fake, repo, behind)
    # search-4 was merged and applied after the branch was cut: the merge keeps it
    assert "search-4" not in comment and "destroys" not in comment
    assert "**Plan: 0 to create, 1 to update, 0 to replace, 0 to delete**" in comment
    assert "| ~ update | network | `search-net` | description:  → search traffic |" in comment
    assert states(fake, repo, behind)["stackgate/plan"] == "success"


def test_a_policy_merged_after_the_branch_point_judges_the_merge_request(
    fake: ForgeFake, repo: str, stackgate: Stackgate
) -> None:
    behind, opened = fake.open_pr(repo, "bob", edit(*LABEL))
    freeze, _ = fake.open_pr(repo, "pat", {"policies/freeze.rego": FREEZE})
    fake.close(repo, freeze, merged=True, by="maintainer")
    stackgate.deliver(opened)
    (comment,) = plan_comments(fake, repo, behind)
    assert "changes are frozen this week" in comment
    assert states(fake, repo, behind)["stackgate/policy"] == RED[fake.name]


def test_a_conflict_with_the_target_is_told_not_planned(
    fake: ForgeFake, repo: str, stackgate: Stackgate
) -> None:
    behind, opened = fake.open_pr(repo, "bob", edit(*LABEL))
    other, _ = fake.open_pr(repo, "carol", edit("role: bastion}", "role: jump}"))
    fake.close(repo, other, merged=True, by="maintainer")
    stackgate.deliver(opened)
    (comment,) = plan_comments(fake, repo, behind)
    assert "stackgate cannot plan" in comment
    mark = "!" if fake.name == "gitlab" else "#"
    assert f"{mark}{behind} cannot be merged into `main`" in comment and "conflicts" in comment
    assert "Traceback" not in comment and "internal error" not in comment
    assert states(fake, repo, behind)["stackgate/plan"] == RED[fake.name]
