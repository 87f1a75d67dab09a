"""One stackgate that has lived a little, shared by the dashboard tests: built through the real
flows (signed webhooks over HTTP, the worker, a CloudStack sandbox with its own keys), never
by writing rows, so the page is tested on what the service really stores."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from app.flows.reconcile import schedule
from app.sandbox.launch import build_api
from app.sandbox.server import RunningSandbox, serve_in_background
from tests.fakes.github import GitHubFake
from tests.scenarios.harness import SECRET, Stackgate, example_files, running
from tests.scenarios.test_merges import APPLIED, UNFINISHED, told
from tests.scenarios.test_pull_requests import LABEL, PAYMENTS, edit
from tests.scenarios.test_reconcile import drop_egress

TOKEN = "dashboard-token-4f9c2b7e1d"
CLOUD_KEY, CLOUD_SECRET = "cloud-api-key-8d3e5a", "cloud-secret-key-b61f0c"
HOSTILE = '<script>alert("stackgate")</script> no capacity left in zone-a'
ANALYTICS = "projects/analytics.yaml"
EGRESS = "payments/egress/app-net:tcp:443:0.0.0.0/0"
RETAIL = "ROOT/apps/retail"
SHOP = b"""\
project: shop
owners: [alice]
networks:
  net: {offering: DefaultIsolatedNetworkOfferingWithSourceNatService, cidr: 10.9.0.0/24}
instances:
  app-1:
    offering: medium
    template: ubuntu-22.04
    networks: [net]
    labels: {owner: alice, cost-center: "4711"}
"""


@dataclass(frozen=True)
class World:
    stackgate: Stackgate
    cloud: RunningSandbox
    repo: str
    merged: int  # applied after a failed first try
    closed: int  # closed without merging
    retail: int  # open, planned, fills its domain's cpu (a capacity row near its limit)
    holder: int  # open, planned, holds analytics
    waiter: int  # open, waits for analytics

    @property
    def secrets(self) -> list[str]:
        token: str = self.stackgate.fake.token  # type: ignore[attr-defined]
        return [TOKEN, SECRET, token, CLOUD_KEY, CLOUD_SECRET]

    def get(self, path: str = "/", auth: str | None = f"Bearer {TOKEN}") -> httpx.Response:
        headers = {"Authorization": auth} if auth else {}
        return self.stackgate.http.get(path, headers=headers)


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


@pytest.fixture(scope="package")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    cloud = serve_in_background(build_api(api_key=CLOUD_KEY, secret_key=CLOUD_SECRET))
    github = GitHubFake().start()
    repo = "acme/infra"
    github.create_repo(repo, {p: example_files()[p] for p in ("stackgate.yaml", PAYMENTS)})
    # the PR authors are team members (an outsider's PR would hold no locks)
    for user in ("alice", "pat", "lee", "bob", "erin", "carol", "dave"):
        github.grant(repo, user, write=True)
    github.add_group(repo, "platform", ["pat"])
    github.add_group(repo, "payments-leads", ["lee"])
    settings = {
        "cloudstack_url": cloud.url,
        "cloudstack_api_key": CLOUD_KEY,
        "cloudstack_secret_key": CLOUD_SECRET,
        "dashboard_token": TOKEN,
        "reconcile_interval": 3600,
    }
    try:
        with running(github, tmp_path_factory.mktemp("dashboard"), **settings) as stackgate:
            yield _live(stackgate, cloud, repo)
    finally:
        github.stop()
        cloud.stop()


def _live(stackgate: Stackgate, cloud: RunningSandbox, repo: str) -> World:
    """A merge whose apply fails in CloudStack's (hostile) words and is finished on command,
    a reconcile that finds a rule deleted by hand, a PR unlocked and closed, an open PR that
    fills its domain's cpu, and two open PRs on one project: the first holds it, the second
    waits."""
    fake = stackgate.fake
    merged, opened = fake.open_pr(repo, "bob", edit(*LABEL))
    stackgate.deliver(opened)
    for who in ("lee", "pat"):
        stackgate.deliver(fake.approve(repo, merged, who))
    matching = {"name": "db-1"}
    cloud.api.knobs.fail_next(
        "deployVirtualMachine", 1, 530, HOSTILE, in_job=True, matching=matching
    )
    stackgate.deliver(fake.close(repo, merged, merged=True))
    assert len(told(fake, repo, merged, UNFINISHED)) == 1
    stackgate.deliver(fake.comment(repo, merged, "alice", "/stackgate apply")[1])
    assert len(told(fake, repo, merged, APPLIED)) == 1
    drop_egress(stackgate)
    assert schedule(stackgate.services) == 1
    stackgate.drain()
    closed, opened = fake.open_pr(repo, "erin", edit("web and", "web, app and"))
    stackgate.deliver(opened)
    # Unlocked first, its plan turns stale; the close then leaves it stale, not discarded.
    stackgate.deliver(fake.comment(repo, closed, "pat", "/stackgate unlock")[1])
    stackgate.deliver(fake.close(repo, closed, merged=False))
    retail = _fill_retail(stackgate, repo)
    analytics = example_files()[ANALYTICS]
    holder, opened = fake.open_pr(repo, "carol", {ANALYTICS: analytics})
    stackgate.deliver(opened)
    waiter, opened = fake.open_pr(repo, "dave", {ANALYTICS: analytics.replace(b"etl-2", b"etl-3")})
    stackgate.deliver(opened)
    return World(stackgate, cloud, repo, merged, closed, retail, holder, waiter)


def _fill_retail(stackgate: Stackgate, repo: str) -> int:
    """Project shop in ROOT/apps/retail, whose cpu limit is 2, and a PR giving it a 2-core
    instance: at its domain's limit, so its domain rows lead the capacity view."""
    client = stackgate.services.clouds.client("default")
    (domain,) = [d for d in client.list("listDomains", listall="true") if d["path"] == RETAIL]
    client.request("updateResourceLimit", domainid=domain["id"], resourcetype=8, max=2)
    owner = {"domainid": domain["id"], "account": "retail-ops"}
    client.run("createProject", name="shop", displaytext="shop", **owner)
    number, opened = stackgate.fake.open_pr(repo, "alice", {"projects/shop.yaml": SHOP})
    stackgate.deliver(opened)
    return number
