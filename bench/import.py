"""`stackgate import --all-projects` of a 200-project, 10,000-object brownfield cloud, against
a plan of the repo it writes on the same cloud, in the same run: import should read no more
than one plan does (issue 17).

The cloud is bench/plan.py's, with every stackgate tag taken off, as if made by hand. The
import writes the repo; the plan of that repo is what the adopt pull request runs next.
"""

from __future__ import annotations

import tempfile
from collections import Counter
from pathlib import Path

from pydantic import SecretStr

from app.cloudstack.client import CloudStackClient, Endpoint
from app.cloudstack.clouds import Clouds
from app.cloudstack.inventory import TAG_MEMBERS, TAG_REPO
from app.flows.planning import plan_projects
from app.imports.model import ImportedProject
from app.imports.reading import import_projects
from app.imports.writer import render, write_atomically
from app.plan.model import Plan
from app.sandbox.launch import build_api
from app.spec import load_repo
from bench.inventory import serve
from bench.loader import PROJECTS
from bench.measure import Measured, measure, mib
from bench.plan import KEY, SECRET, _settings, build_cloud

REPO = "bench/import"
# the calls CloudStack answers only per project or per load balancer rule
PER_OBJECT = ("listProjectAccounts", "listProjectRoles", "listLoadBalancerRuleInstances")


def brownfield(path: Path) -> int:
    """bench/plan.py's cloud without stackgate's tags; a rule's members as the sandbox keeps
    them. The number of objects (root disks are part of their instance)."""
    objects = len(build_cloud(path))
    state = build_api(api_key=KEY, secret_key=SECRET, state_file=path).state
    vms = {(row["projectid"], row["name"]): row["id"] for row in state.table("vms")}
    for table in ("networks", "ips", "vms", "volumes", "firewall", "port_forwards"):
        for row in state.table(table):
            row["tags"] = []
    for rule in state.table("load_balancers"):
        tags = {tag["key"]: tag["value"] for tag in rule["tags"]}
        names = tags[TAG_MEMBERS].split(",")
        rule["_members"] = [vms[rule["projectid"], name] for name in names]
        rule["tags"] = []
    assert not any(TAG_REPO in str(row.get("tags")) for row in state.table("vms"))
    state.save()
    return objects


def import_all(url: str, root: Path, calls: Counter[str]) -> list[ImportedProject]:
    client = CloudStackClient(Endpoint("default", url, SecretStr(KEY), SecretStr(SECRET)))
    found = import_projects(client, None)
    for project in found:
        write_atomically(root / "projects" / f"{project.name}.yaml", render(project))
    client.close()
    calls.clear()
    calls.update(client.calls)
    return found


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        root, cloud = Path(folder) / "repo", Path(folder) / "cloud.json"
        objects = brownfield(cloud)
        imported: dict[str, list[ImportedProject]] = {}
        calls: Counter[str] = Counter()
        plans: dict[str, Plan] = {}

        def plan() -> None:
            with Clouds(_settings(url)) as clouds:
                plans["imported"] = plan_projects(load_repo(root), clouds, REPO)

        process, url = serve(cloud)
        try:
            took = measure(lambda: imported.update(all=import_all(url, root, calls)), runs=1)
            planned = measure(plan, runs=1)
        finally:
            process.terminate()
            process.wait(timeout=10)
    teams = [project for project in imported["all"] if project.name.startswith("team-")]
    assert len(teams) == PROJECTS and not any(p.skipped or p.renamed for p in teams)
    report(objects, sum(calls.values()), calls, took, plans["imported"], planned)


def report(
    objects: int, total: int, calls: Counter[str], took: Measured, plan: Plan, planned: Measured
) -> None:
    per_object = sum(calls[command] for command in PER_OBJECT)
    print(f"import: {PROJECTS} projects, {objects:,} objects, untagged")
    print(
        f"  import --all-projects    {total:>7,} calls ({per_object:,} per project or rule) "
        f"{took.seconds * 1000:9.0f} ms  peak {mib(took.peak_bytes)}"
    )
    print(
        f"  plan of the written repo {plan.api_calls:>7,} calls "
        f"{planned.seconds * 1000:9.0f} ms  peak {mib(planned.peak_bytes)}"
    )
    errors = sum(1 for d in plan.diagnostics if d.severity == "error")
    print(f"    the plan: {dict(plan.counts)}, {errors} errors")
    print(
        f"  ratio (import / plan): calls {total / plan.api_calls:.2f}x, "
        f"time {took.seconds / planned.seconds:.2f}x"
    )
