"""`stackgate import --all-projects` of a 200-project, 10,000-object brownfield cloud, against
a plan of the repo it writes on the same cloud, in the same run: import should read no more
than one plan does (issue 17).

The cloud is bench/plan.py's, with every stackgate tag taken off, as if made by hand. The
import writes the repo; the plan of that repo is what the adopt pull request runs next.
"""

from __future__ import annotations

import tempfile
from collections import Counter, defaultdict
from pathlib import Path

from pydantic import SecretStr

from app.cloudstack.client import CloudStackClient, Endpoint
from app.cloudstack.clouds import Clouds
from app.flows.planning import plan_projects
from app.imports.model import ImportedProject
from app.imports.reading import import_projects
from app.imports.writer import render, write_atomically
from app.plan.adopt import TAGS
from app.plan.desired import desired_items
from app.plan.model import Action, Plan
from app.sandbox.launch import build_api
from app.sandbox.store import CloudState
from app.spec import load_repo
from app.spec.state import DesiredState
from bench.inventory import serve
from bench.loader import PROJECTS
from bench.measure import Measured, measure, mib
from bench.plan import KEY, SECRET, _settings, build_cloud

REPO = "bench/import"
# the calls CloudStack answers only per project or per load balancer rule
# the plan's figures per kind: what the adopt pull request would do
COLUMNS = ("adopt", "adopt setting fields", "create", "other", "errors")
PER_OBJECT = ("listProjectAccounts", "listProjectRoles", "listLoadBalancerRuleInstances")


def brownfield(path: Path) -> int:
    """bench/plan.py's cloud without stackgate's tags. The number of objects (root disks are
    part of their instance)."""
    objects = len(build_cloud(path))
    state = build_api(api_key=KEY, secret_key=SECRET, state_file=path).state
    untag(state)
    state.save()
    return objects


def untag(state: CloudState) -> None:
    """Every stackgate tag taken off, as if the objects were made by hand."""
    for table in ("networks", "ips", "vms", "volumes", "firewall", "port_forwards"):
        for row in state.table(table):
            row["tags"] = []
    for rule in state.table("load_balancers"):
        rule["tags"] = []


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
        kinds = kind_at(load_repo(root))
    left_out = sum(len(p.skipped) + len(p.renamed) for p in imported["all"])
    report(objects, sum(calls.values()), calls, took, plans["imported"], planned)
    print(f"    left out or renamed by the import: {left_out}")
    by_kind(plans["imported"], kinds)


def kind_at(desired: DesiredState) -> dict[tuple[str, int], str]:
    """(file, line) → the kind declared there, so the plan's errors are counted per kind."""
    return {
        (item.location.file, item.location.line): item.kind
        for project in desired.projects.values()
        for item in desired_items(project, desired.sources, None)
    }


def by_kind(plan: Plan, kinds: dict[tuple[str, int], str]) -> None:
    """The plan of the written repo per kind: the adopt pull request should only adopt. An
    adopt that also sets fields (beside the tags) is counted apart: it would change the cloud."""
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for change in plan.changes:
        action = str(change.action)
        counts[change.kind][action if action in COLUMNS else "other"] += 1
        if change.action == Action.ADOPT and {f.field for f in change.changed} - TAGS:
            counts[change.kind]["adopt setting fields"] += 1
    for diagnostic in plan.diagnostics:
        if diagnostic.is_error:
            where = (diagnostic.location.file, diagnostic.location.line)
            counts[kinds.get(where, "other")]["errors"] += 1
    print(f"    {'kind':<14}" + "".join(f"{column:>{len(column) + 2}}" for column in COLUMNS))
    for kind, count in sorted(counts.items()):
        cells = (f"{count[column]:>{len(column) + 2},}" for column in COLUMNS)
        print(f"    {kind:<14}" + "".join(cells))


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
    print(
        f"  ratio (import / plan): calls {total / plan.api_calls:.2f}x, "
        f"time {took.seconds / planned.seconds:.2f}x"
    )
