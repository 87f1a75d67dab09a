"""`/stackgate apply` after a merge whose apply failed part-way finishes what was approved.

The approvals the merged plan had still count when the plan at the merge commit asks only
for what that plan asked (what failed or was not reached): on GitLab a merged request can no
longer be approved, so asking for them again would leave the project locked for good. A
retry that would do anything the merged plan did not say needs approvals given to it.
"""

from __future__ import annotations

from tests.fakes.base import ForgeFake
from tests.scenarios.harness import Stackgate
from tests.scenarios.test_domain_quota import _retail_projects, _team
from tests.scenarios.test_merges import APPLIED, REFUSED, UNFINISHED, told


def _merged_half_applied(fake: ForgeFake, repo: str, stackgate: Stackgate) -> int:
    """team-a, new to the repo (the platform approves it), merged; its instance fails."""
    _retail_projects(stackgate, cpu=10)
    number, delivery = fake.open_pr(repo, "bob", _team("team-a"))
    stackgate.deliver(delivery)
    for who in ("alice", "pat"):
        stackgate.deliver(fake.approve(repo, number, who))
    sandbox = stackgate.services.clouds.sandbox
    assert sandbox is not None
    sandbox.api.knobs.fail_next("deployVirtualMachine", 1, 530, "no capacity", in_job=True)
    stackgate.deliver(fake.close(repo, number, merged=True))
    assert len(told(fake, repo, number, UNFINISHED)) == 1
    return number


def _machines(stackgate: Stackgate) -> list[str]:
    client = stackgate.services.clouds.client("default")
    return [vm["name"] for vm in client.list("listVirtualMachines", listall="true", projectid="-1")]


def test_a_retry_of_what_was_approved_needs_no_new_approval(
    fake: ForgeFake, repo: str, stackgate: Stackgate
) -> None:
    number = _merged_half_applied(fake, repo, stackgate)
    _, delivery = fake.comment(repo, number, "alice", "/stackgate apply")
    stackgate.deliver(delivery)
    assert not told(fake, repo, number, REFUSED)
    assert len(told(fake, repo, number, APPLIED)) == 1
    assert _machines(stackgate) == ["app-1"]


def test_a_retry_that_would_do_more_than_was_approved_asks_again(
    fake: ForgeFake, repo: str, stackgate: Stackgate
) -> None:
    number = _merged_half_applied(fake, repo, stackgate)
    # By hand, the network made by the first apply is given another description: the retry
    # would also put it back, which nobody approved.
    client = stackgate.services.clouds.client("default")
    listed = client.list("listNetworks", listall="true", projectid="-1")
    (net,) = [n for n in listed if n.get("type") != "Shared"]  # not zone-sg's seeded one
    client.run("updateNetwork", id=net["id"], displaytext="changed by hand")
    _, delivery = fake.comment(repo, number, "alice", "/stackgate apply")
    stackgate.deliver(delivery)
    (refused,) = told(fake, repo, number, REFUSED)
    assert "1 approval from @platform" in refused
    assert _machines(stackgate) == []
