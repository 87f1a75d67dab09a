"""The demo's git side: the example repo as a bare "remote", and a checkout people push from."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from app.forges.local.git import as_user, run


def _example() -> Path:
    """The example repo the demo starts from: packaged beside the code in a wheel, or the
    checkout's examples/infra folder."""
    packaged = Path(__file__).resolve().parent.parent / "_examples" / "infra"
    return (
        packaged
        if packaged.is_dir()
        else Path(__file__).resolve().parents[2] / "examples" / "infra"
    )


EXAMPLE = _example()
PAYMENTS = Path("projects") / "payments.yaml"
# A third web server behind the load balancer: one create, one load-balancer update.
SAMPLE = (
    ("  web-2: *web\n", "  web-2: *web\n  web-3: *web\n"),
    ("members: [web-1, web-2]", "members: [web-1, web-2, web-3]"),
)
CLUSTER = Path("projects") / "search" / "cluster.yaml"
# Three more indexing workers for the search team's Kubernetes cluster: a scale, in place.
SCALE_UP = ("    size: 2\n", "    size: 5\n")
SHOP = Path("projects") / "shop.yaml"
# A new team's onboarding: its own project in the retail domain, with accounts and users the
# sandbox seeds there as members, its quota, and a first network.
ONBOARDING = """\
# The shop team's CloudStack project, asked for by pull request.
project: shop
domain: ROOT/apps/retail
zone: zone-a
display_text: Retail web shop
owners: [bob]
members:
  - {account: retail-ops, role: Admin}
  - {user: erin}
labels: {team: shop, cost-center: "5200"}
limits: {instances: 8, cpu: 16, memory: 32GiB, networks: 2, public_ips: 2}

networks:
  shop-net:
    offering: DefaultIsolatedNetworkOfferingWithSourceNatService
    cidr: 10.5.0.0/24
    description: the shop's first network
"""


@dataclass(frozen=True)
class Workspace:
    origin: Path  # the bare repository the local forge serves
    checkout: Path  # where people edit and push from

    @classmethod
    def create(cls, root: Path) -> Workspace:
        checkout, origin = root / "infra", root / "infra.git"
        shutil.copytree(EXAMPLE, checkout)
        workspace = cls(origin, checkout)
        workspace.git("init", "--quiet", "--initial-branch=main")
        workspace.git("add", ".")
        workspace.commit("platform-team", "The infrastructure as it runs today")
        run(root, "clone", "--quiet", "--bare", str(checkout), str(origin))
        workspace.git("remote", "add", "origin", str(origin))
        return workspace

    def propose_change(self, author: str) -> tuple[str, str]:
        """Commit the sample change on a branch and push it; (branch, pull request title)."""
        text = (self.checkout / PAYMENTS).read_text(encoding="utf-8")
        for old, new in SAMPLE:
            text = text.replace(old, new, 1)
        title = "payments: a third web server behind web-lb"
        return self._propose(author, "add-web-3", title, PAYMENTS, text)

    def propose_scale_up(self, author: str) -> tuple[str, str]:
        """Three more workers for the search cluster, on a branch from main as it is now."""
        self.git("fetch", "--quiet", "origin", "main")
        text = self.git("show", f"FETCH_HEAD:{CLUSTER.as_posix()}").replace(*SCALE_UP, 1)
        title = "search: three more indexing workers"
        return self._propose(author, "indexer-workers", title, CLUSTER, text, "FETCH_HEAD")

    def propose_onboarding(self, author: str) -> tuple[str, str]:
        """Push a new team's project file on a branch from main as it is now; (branch, title)."""
        self.git("fetch", "--quiet", "origin", "main")
        title = "shop: a project for the shop team, with its first network"
        return self._propose(author, "onboard-shop", title, SHOP, ONBOARDING, "FETCH_HEAD")

    def _propose(
        self, author: str, branch: str, title: str, path: Path, text: str, *start: str
    ) -> tuple[str, str]:
        self.git("switch", "--quiet", "--create", branch, *start)
        (self.checkout / path).write_text(text, encoding="utf-8")
        self.git("add", str(path))
        self.commit(author, title)
        self.git("push", "--quiet", "origin", branch)
        return branch, title

    def last_diff(self) -> str:
        return self.git("show", "--format=", "--unified=1", "HEAD").rstrip()

    def head(self) -> str:
        return self.git("rev-parse", "HEAD").strip()

    def commit(self, author: str, message: str, *options: str) -> None:
        run(self.checkout, "commit", "--quiet", *options, "-m", message, env=as_user(author))

    def git(self, *args: str) -> str:
        return run(self.checkout, *args)
