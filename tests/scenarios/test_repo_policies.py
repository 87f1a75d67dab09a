"""A policy merged into the repo can add to what the platform's policies decide, never take
from it: the attack that switched off the shipped destroy/needs-label rule, on each forge."""

from __future__ import annotations

from tests.scenarios.harness import Stackgate
from tests.scenarios.test_labels import NEEDS_LABEL, destroying_pr, policy
from tests.scenarios.test_pull_requests import RED, plan_comments

ALWAYS_LABELLED = b"package stackgate.lib\n\nlabelled(_, _) if true\n"


def test_a_merged_repo_policy_cannot_switch_off_a_platform_denial(
    fake, repo, stackgate: Stackgate
) -> None:
    attack, _ = fake.open_pr(repo, "bob", {"policies/lib.rego": ALWAYS_LABELLED})
    fake.close(repo, attack, merged=True, by="maintainer")
    number = destroying_pr(stackgate, repo)
    assert NEEDS_LABEL in plan_comments(fake, repo, number)[0]
    assert policy(stackgate, repo, number) == RED[fake.name]
