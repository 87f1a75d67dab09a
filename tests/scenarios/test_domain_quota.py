"""Open pull requests on different projects compete at their domain: each one's plan counts
the others' planned growth as pending, and the one that would take the domain over its limit
together with them fails, naming them; the figure moves when they merge or close."""

from __future__ import annotations

from typing import Any

from app.cloudstack.client import CloudStackClient
from app.store.tables import PlanRecord
from tests.fakes.base import ForgeFake
from tests.scenarios.harness import Stackgate
from tests.scenarios.test_pull_requests import GREEN, RED, plan_comments, states

RETAIL = "ROOT/apps/retail"


def _team(name: str) -> dict[str, bytes | None]:
    """A project file for an existing retail project: one network and one 2-core instance."""
    text = f"""\
project: {name}
zone: zone-a
owners: [alice]
networks:
  net: {{offering: DefaultIsolatedNetworkOfferingWithSourceNatService, cidr: 10.9.0.0/24}}
instances:
  app-1:
    offering: medium
    template: ubuntu-22.04
    networks: [net]
    labels: {{owner: alice, cost-center: "4711"}}
"""
    return {f"projects/{name}.yaml": text.encode()}


def _retail_projects(stackgate: Stackgate, cpu: int) -> dict[str, Any]:
    """team-a and team-b in ROOT/apps/retail, whose cpu limit is ``cpu``; the domain."""
    return retail_projects(stackgate.services.clouds.client("default"), cpu)


def retail_projects(client: CloudStackClient, cpu: int) -> dict[str, Any]:
    """The same, through a client of any cloud (a CI job's sandbox state, say)."""
    (retail,) = [d for d in client.list("listDomains", listall="true") if d["path"] == RETAIL]
    client.request("updateResourceLimit", domainid=retail["id"], resourcetype=8, max=cpu)
    for name in ("team-a", "team-b"):
        client.run(
            "createProject",
            name=name,
            displaytext=name,
            domainid=retail["id"],
            account="retail-ops",
        )
    return retail


def test_two_prs_whose_sum_passes_the_domain_limit(
    fake: ForgeFake, repo: str, stackgate: Stackgate
) -> None:
    retail = _retail_projects(stackgate, cpu=3)  # room for one 2-core instance, not two
    first, delivery = fake.open_pr(repo, "bob", _team("team-a"))
    stackgate.deliver(delivery)
    assert states(fake, repo, first)["stackgate/plan"] == GREEN[fake.name]
    assert (
        f"| domain {RETAIL} | cpu | 0 | +2 | 0 | 2 | 3 | 1 |" in plan_comments(fake, repo, first)[0]
    )

    second, delivery = fake.open_pr(repo, "carol", _team("team-b"))
    stackgate.deliver(delivery)
    comment = plan_comments(fake, repo, second)[0]
    assert f"| domain {RETAIL} | cpu | 0 | +2 | +2 | 4 | 3 | -1 |" in comment
    assert "Maximum domain resource limits of Type" in comment
    assert f"for Domain Id = {retail['id']} is exceeded" in comment
    assert f"Open pull requests #{first} hold the reservation" in comment
    assert states(fake, repo, second)["stackgate/plan"] == RED[fake.name]

    # The first closes: its reservation goes, and the second is planned again by itself,
    # nobody pushing or commenting on it, and fits.
    stackgate.deliver(fake.close(repo, first, merged=False))
    comment = plan_comments(fake, repo, second)[0]
    assert f"| domain {RETAIL} | cpu | 0 | +2 | 0 | 2 | 3 | 1 |" in comment
    assert states(fake, repo, second)["stackgate/plan"] == GREEN[fake.name]


def _both_planned(fake: ForgeFake, repo: str, stackgate: Stackgate) -> tuple[int, int]:
    """team-a's and team-b's pull requests in a retail domain with room for one of them; the
    first approved: the second fails naming it."""
    _retail_projects(stackgate, cpu=3)
    first, delivery = fake.open_pr(repo, "bob", _team("team-a"))
    stackgate.deliver(delivery)
    second, delivery = fake.open_pr(repo, "carol", _team("team-b"))
    stackgate.deliver(delivery)
    assert f"Open pull requests #{first} hold" in plan_comments(fake, repo, second)[0]
    for who in ("alice", "pat"):
        stackgate.deliver(fake.approve(repo, first, who))
    return first, second


def test_a_merged_reservation_is_counted_as_used_once_applied(
    fake: ForgeFake, repo: str, stackgate: Stackgate
) -> None:
    first, second = _both_planned(fake, repo, stackgate)
    # Merged and applied: the second is planned again by itself, the first's two cores held
    # by the cloud now instead of by an open pull request; still too many.
    stackgate.deliver(fake.close(repo, first, merged=True))
    comment = plan_comments(fake, repo, second)[0]
    assert f"| domain {RETAIL} | cpu | 2 | +2 | 0 | 4 | 3 | -1 |" in comment
    assert "Open pull requests" not in comment
    assert states(fake, repo, second)["stackgate/plan"] == RED[fake.name]


def test_a_merged_reservation_stands_while_its_apply_is_unfinished(
    fake: ForgeFake, repo: str, stackgate: Stackgate
) -> None:
    first, second = _both_planned(fake, repo, stackgate)
    # Merged, but its instance fails: the first keeps its locks until `/stackgate apply`
    # finishes it, and its cores are not in the cloud, so its reservation stands.
    sandbox = stackgate.services.clouds.sandbox
    assert sandbox is not None
    sandbox.api.knobs.fail_next("deployVirtualMachine", 1, 530, "no capacity", in_job=True)
    stackgate.deliver(fake.close(repo, first, merged=True))
    assert [p.number for p in stackgate.rows(PlanRecord)].count(second) == 2  # planned again
    comment = plan_comments(fake, repo, second)[0]
    assert f"| domain {RETAIL} | cpu | 0 | +2 | +2 | 4 | 3 | -1 |" in comment
    assert f"Open pull requests #{first} hold the reservation" in comment
    assert states(fake, repo, second)["stackgate/plan"] == RED[fake.name]


def test_a_project_the_plan_creates_counts_in_its_domain(
    fake: ForgeFake, repo: str, stackgate: Stackgate
) -> None:
    """team-c does not exist: its file's domain: names where its growth counts."""
    _retail_projects(stackgate, cpu=3)
    first, delivery = fake.open_pr(repo, "bob", _team("team-a"))
    stackgate.deliver(delivery)
    text = _team("team-c")["projects/team-c.yaml"] or b""
    text += b"domain: ROOT/apps/retail\nmembers:\n  - {account: retail-ops, role: Admin}\n"
    second, delivery = fake.open_pr(repo, "carol", {"projects/team-c.yaml": text})
    stackgate.deliver(delivery)
    comment = plan_comments(fake, repo, second)[0]
    assert "| + create | project | `team-c` | in ROOT/apps/retail" in comment
    assert f"| domain {RETAIL} | cpu | 0 | +2 | +2 | 4 | 3 | -1 |" in comment
    assert f"Open pull requests #{first} hold the reservation" in comment
