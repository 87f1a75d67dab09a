"""An errored plan's comment leads with its errors and never reads as a clean plan, on each
forge: a YAML syntax error leaves nothing to plan, yet the cloud does not "already match"."""

from __future__ import annotations

from tests.fakes.base import ForgeFake
from tests.scenarios.harness import Stackgate
from tests.scenarios.test_pull_requests import RED, edit, plan_comments, states


def test_a_yaml_error_leads_the_comment_and_nothing_reads_as_a_pass(
    fake: ForgeFake, repo: str, stackgate: Stackgate
) -> None:
    number, delivery = fake.open_pr(
        repo, "bob", edit("    offering: small", "    offering: [small")
    )
    stackgate.deliver(delivery)
    comment = plan_comments(fake, repo, number)[0]
    assert "SG101" in comment and "**The plan has 1 error**" in comment
    assert "already matches" not in comment and "All policies pass" not in comment
    assert comment.index("#### Problems") < comment.index("#### Quota impact")
    assert set(states(fake, repo, number).values()) == {RED[fake.name]}
