"""VPC projects in bench/plan.py (issue 18): the plan stays O(pages) with VPCs in the repo.

Projects shaped like the example repo's checkout (one VPC, web/app/db tiers each with its ACL
list, instances on the tiers, an anti-affinity pair, a load balancer and static NAT on VPC
addresses) at two sizes, each made by the executor on a fresh sandbox process and then
planned with nothing to change. What is printed is the calls a plan makes per project at
each size: list calls read a kind by the page, so they must not follow the objects.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from pydantic import SecretStr

from app.apply.executor import Executor
from app.apply.journal import Journal
from app.cloudstack.clouds import Clouds
from app.config import Settings
from app.flows.planning import plan_projects
from app.sandbox.launch import build_api
from app.sandbox.seed import project_row
from app.spec import load_repo
from app.spec.state import DesiredState
from app.store.database import open_store
from bench.inventory import serve
from bench.measure import Measured, measure

REPO = "bench/plan-vpc"
KEY, SECRET = "bench-key", "bench-secret"
PROJECTS = 8
CONCURRENCY = 8
SCALES = (1, 4)  # per project: 2 x scale instances and 8 x scale ACL rules per tier
TIERS = ("web", "app", "db")
VM = "offering: small, template: debian-12"
TIER_OFFERING = "DefaultIsolatedNetworkOfferingForVpcNetworks"
LIMITS = "limits: {instances: unlimited, cpu: unlimited, memory: unlimited, volumes: unlimited,"
LIMITS += " primary_storage: unlimited, networks: unlimited, public_ips: unlimited, vpcs: 2}"


def project_text(index: int, scale: int) -> str:
    """One VPC project: its objects grow with ``scale``, its kinds do not."""
    net = f"10.{index}"
    lines = ["zone: zone-a", LIMITS, "vpcs:", "  shop:", "    offering: Default VPC offering"]
    lines += [f"    cidr: {net}.0.0/16", "    tiers:"]
    lines += [
        f"      {tier}: {{offering: {TIER_OFFERING}, cidr: {net}.{n}.0/24, acl: {tier}-acl}}"
        for n, tier in enumerate(TIERS, 1)
    ]
    lines.append("network_acls:")
    for tier in TIERS:
        lines += [f"  {tier}-acl:", "    vpc: shop", "    rules:"]
        lines += [
            f"      - {{number: {10 * (r + 1)}, action: allow, traffic: ingress, protocol: tcp,"
            f" ports: {8000 + r}, cidrs: [{net}.0.0/16]}}"
            for r in range(8 * scale)
        ]
    lines += ["affinity_groups:", "  db-spread: {type: host anti-affinity}", "instances:"]
    for tier in TIERS:
        for k in range(2 * scale):
            spread = ", affinity_groups: [db-spread]" if tier == "db" and k < 2 else ""
            lines.append(f"  {tier}-{k}: {{{VM}, networks: [{tier}]{spread}}}")
    lines += ["public_ips:", "  web-ip: {vpc: shop}"]
    lines += [f"  nat-{k}: {{vpc: shop, static_nat: web-{k}}}" for k in range(scale)]
    members = ", ".join(f"web-{k}" for k in range(scale, 2 * scale))
    lines += ["load_balancers:", "  web-lb: {ip: web-ip, tier: web, public_port: 443,"]
    lines.append(f"           private_port: 8443, members: [{members}]}}")
    return "\n".join(lines) + "\n"


def _apply(clouds: Clouds, journal: Journal, desired: DesiredState) -> None:
    """Apply, and again what is left as `stackgate apply` would: on a loaded machine a call
    may go unanswered in time, and the next apply finds what it made."""
    failed: list[str] = []
    for _attempt in range(3):
        plan = plan_projects(desired, clouds, REPO)
        if not plan.changes:
            return
        run = journal.start(plan, "bench", "bench")
        done = Executor(clouds, journal, CONCURRENCY).apply(run, desired, "bench")
        failed = [f"{s.address}: {s.error}" for s in done.steps if s.state != "done"]
    assert not plan_projects(desired, clouds, REPO).changes, f"the apply failed: {failed[:3]}"


@dataclass(frozen=True)
class Size:
    scale: int
    objects: int  # per project, as the plan counts them (root disks are their instance's)
    calls: int  # of the no-change plan of every project
    seconds: Measured

    @property
    def per_project(self) -> float:
        return self.calls / PROJECTS


def planned(scale: int, folder: Path) -> Size:
    """Made by the executor on a fresh sandbox, then planned again: nothing to change."""
    root, state_file = folder / f"repo-{scale}", folder / f"cloud-{scale}.json"
    (root / "projects").mkdir(parents=True)
    for index in range(PROJECTS):
        text = project_text(index, scale)
        (root / "projects" / f"vpc-{index:03d}.yaml").write_text(text)
    state = build_api(api_key=KEY, secret_key=SECRET, state_file=state_file).state
    for index in range(PROJECTS):
        state.table("projects").add(project_row(state, f"vpc-{index:03d}"))
    state.save()
    desired = load_repo(root)
    process, url = serve(state_file)
    try:
        settings = Settings(
            cloudstack_url=url,
            cloudstack_api_key=SecretStr(KEY),
            cloudstack_secret_key=SecretStr(SECRET),
            database_url=f"sqlite:///{folder / f'journal-{scale}.db'}",
        )
        with Clouds(settings) as clouds:
            made = plan_projects(desired, clouds, REPO)
            _apply(clouds, Journal(open_store(settings.database_url)), desired)
            again: list[int] = []

            def replan() -> None:
                plan = plan_projects(desired, clouds, REPO)
                assert not plan.changes, plan.summary
                again.append(plan.api_calls)

            seconds = measure(replan, runs=3)
    finally:
        process.terminate()
        process.wait(timeout=10)
    objects = sum(1 for c in made.changes if c.kind != "limits") // PROJECTS
    return Size(scale, objects, again[-1], seconds)


def report() -> list[str]:
    with tempfile.TemporaryDirectory() as folder:
        sizes = [planned(scale, Path(folder)) for scale in SCALES]
    lines = [f"plan with VPC projects: {PROJECTS} projects, nothing to change"]
    lines += [
        f"  {s.objects:>4} objects a project: {s.calls:>4} calls, {s.per_project:.1f} a project,"
        f" {s.seconds.seconds * 1000:6.0f} ms"
        for s in sizes
    ]
    small, large = sizes[0], sizes[-1]
    lines.append(
        f"  ratio ({large.objects} / {small.objects} objects a project): objects"
        f" {large.objects / small.objects:.1f}x, calls {large.calls / small.calls:.2f}x"
    )
    return lines
