"""A team gets its own CloudStack project from one pull request the platform approves, and
loses it again only by an approved, labelled pull request that removes its file."""

from __future__ import annotations

from typing import Any

from app.cloudstack.catalog import tag_map
from app.cloudstack.inventory import TAG_KEY
from tests.fakes.base import ForgeFake
from tests.scenarios.harness import Stackgate
from tests.scenarios.test_labels import NEEDS_LABEL, policy
from tests.scenarios.test_merges import APPLIED, REFUSED, told
from tests.scenarios.test_pull_requests import GREEN, RED, plan_comments, states

SHOP = "projects/shop.yaml"
ONBOARDING = b"""\
zone: zone-a
domain: ROOT/apps/retail
display_text: Retail shop
owners: [alice]
members:
  - {account: retail-ops, role: Admin}
  - {user: erin}
limits: {networks: 2}
networks:
  shop-net: {offering: DefaultIsolatedNetworkOfferingWithSourceNatService, cidr: 10.9.0.0/24}
"""
PLATFORM = "creating project shop needs the platform team"
CREATE_ROW = (
    '| + create | project | `shop` | in ROOT/apps/retail · active · "Retail shop" · owner '
    "retail-ops | `projects/shop.yaml:1` |"
)


def _shop(stackgate: Stackgate) -> dict[str, Any] | None:
    client = stackgate.services.clouds.client("default")
    found = client.list("listProjects", name="shop", listall="true")
    return found[0] if found else None


def _networks(stackgate: Stackgate, project: dict[str, Any]) -> list[dict[str, Any]]:
    client = stackgate.services.clouds.client("default")
    return client.list("listNetworks", projectid=project["id"])


def _onboarded(fake: ForgeFake, repo: str, stackgate: Stackgate) -> dict[str, Any]:
    """The onboarding pull request: planned, approved by the owner and the platform, merged."""
    number, delivery = fake.open_pr(repo, "bob", {SHOP: ONBOARDING})
    stackgate.deliver(delivery)
    (comment,) = plan_comments(fake, repo, number)
    assert CREATE_ROW in comment and PLATFORM in comment
    assert "| + create | project member | `user:erin` | role Regular |" in comment
    stackgate.deliver(fake.approve(repo, number, "alice"))
    assert states(fake, repo, number)["stackgate/approval"] != GREEN[fake.name]
    stackgate.deliver(fake.approve(repo, number, "pat"))  # the platform group
    assert states(fake, repo, number)["stackgate/approval"] == GREEN[fake.name]
    stackgate.deliver(fake.close(repo, number, merged=True, by="maintainer"))
    assert told(fake, repo, number, APPLIED), [c.body[:300] for c in fake.comments(repo, number)]
    project = _shop(stackgate)
    assert project is not None
    return project


def test_onboarding_makes_the_project_its_members_and_first_network(
    fake: ForgeFake, repo: str, stackgate: Stackgate
) -> None:
    project = _onboarded(fake, repo, stackgate)
    assert tag_map(project)[TAG_KEY] == "project/shop"
    client = stackgate.services.clouds.client("default")
    members = client.list("listProjectAccounts", projectid=project["id"])
    assert sorted((m.get("username") or m["account"], m["role"]) for m in members) == [
        ("erin", "Regular"),
        ("retail-ops", "Admin"),
    ]
    (network,) = _networks(stackgate, project)
    assert tag_map(network)[TAG_KEY] == "network/shop-net"


def test_offboarding_needs_the_label_and_the_platform_then_deletes_resources_then_project(
    fake: ForgeFake, repo: str, stackgate: Stackgate
) -> None:
    _onboarded(fake, repo, stackgate)
    number, delivery = fake.open_pr(repo, "bob", {SHOP: None})
    stackgate.deliver(delivery)
    (comment,) = plan_comments(fake, repo, number)
    assert NEEDS_LABEL in comment and "deleting project shop needs the platform team" in comment
    assert policy(stackgate, repo, number) == RED[fake.name]
    stackgate.deliver(fake.label(repo, number, "alice", "allow-destroy"))
    stackgate.deliver(fake.approve(repo, number, "pat"))
    assert states(fake, repo, number)["stackgate/policy"] == GREEN[fake.name]
    assert states(fake, repo, number)["stackgate/approval"] == GREEN[fake.name]
    stackgate.deliver(fake.close(repo, number, merged=True, by="maintainer"))
    (result,) = told(fake, repo, number, APPLIED)
    assert result.index("`shop/network/shop-net`") < result.index("`shop/project/shop`")
    assert _shop(stackgate) is None


def test_offboarding_without_label_and_approval_is_refused_and_nothing_moves(
    fake: ForgeFake, repo: str, stackgate: Stackgate
) -> None:
    project = _onboarded(fake, repo, stackgate)
    number, delivery = fake.open_pr(repo, "bob", {SHOP: None})
    stackgate.deliver(delivery)
    assert policy(stackgate, repo, number) == RED[fake.name]
    stackgate.deliver(fake.close(repo, number, merged=True, by="maintainer"))
    assert told(fake, repo, number, REFUSED)
    assert _shop(stackgate) is not None
    assert len(_networks(stackgate, project)) == 1
