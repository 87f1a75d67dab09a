"""Many clouds at once: 200 projects on 20 clouds against the same 200 on one, 100 ms a call.

Each cloud is a sandbox answering every call 100 ms late (a management server some way off);
the projects and their objects are bench/plan.py's, tagged as apply tags them, so the plan
finds nothing to change and its time is the read. A plan reads its clouds side by side, so
20 clouds of 10 projects should cost about what one cloud of 200 does, not 20 times one.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pydantic import SecretStr

from app.cloudstack.clouds import Clouds
from app.config import CloudSettings, Settings
from app.flows.planning import plan_projects
from app.plan.model import Plan
from app.sandbox.launch import build_api
from app.sandbox.seed import project_row
from app.sandbox.server import RunningSandbox, serve_in_background
from app.spec import load_repo
from bench.loader import PROJECTS, project_text
from bench.plan import KEY, REPO, SECRET, _rows

CLOUDS, LATENCY = 20, 0.1
NETWORK_OFFERING = "DefaultIsolatedNetworkOfferingWithSourceNatService"


def write_repo(root: Path, cloud_of: dict[int, str]) -> None:
    """bench/loader.py's 200 projects, each naming its cloud."""
    (root / "projects").mkdir(parents=True)
    for index, cloud in cloud_of.items():
        text = project_text(index, NETWORK_OFFERING).replace("\n", f"\ncloud: {cloud}\n", 1)
        (root / "projects" / f"team-{index:03d}.yaml").write_text(text, encoding="utf-8")


def sandbox(indices: list[int]) -> RunningSandbox:
    """A cloud holding these projects and their objects, answering 100 ms late."""
    api = build_api(api_key=KEY, secret_key=SECRET)
    state = api.state
    for index in indices:
        project = state.table("projects").add(project_row(state, f"team-{index:03d}"))
        state.limits.update(
            {(project["id"], 0): 40, (project["id"], 8): 80, (project["id"], 9): 160 * 1024}
        )
        for table, row in _rows(state, project, index):
            if table == "vms":  # the sandbox keeps each VM's security groups (none here)
                row.setdefault("securitygroup", [])
            state.table(table).add(row)
    api.knobs.latency["*"] = LATENCY
    return serve_in_background(api)


@contextmanager
def clouds(cloud_of: dict[int, str]) -> Iterator[Clouds]:
    """One sandbox per cloud named in ``cloud_of``, with its projects, configured by name."""
    names = sorted(set(cloud_of.values()))
    running = {
        name: sandbox([i for i, cloud in cloud_of.items() if cloud == name]) for name in names
    }
    settings = Settings(
        clouds={
            name: CloudSettings(url=run.url, api_key=SecretStr(KEY), secret_key=SecretStr(SECRET))
            for name, run in running.items()
        }
    )
    try:
        with Clouds(settings) as configured:
            yield configured
    finally:
        for run in running.values():
            run.stop()


def timed_plan(cloud_of: dict[int, str], root: Path) -> tuple[Plan, float]:
    write_repo(root, cloud_of)
    desired = load_repo(root)
    assert desired.ok, desired.diagnostics[:3]
    with clouds(cloud_of) as configured:
        started = time.perf_counter()
        plan = plan_projects(desired, configured, REPO)
        seconds = time.perf_counter() - started
    assert not plan.changes and not plan.has_errors, (plan.summary, plan.diagnostics[:3])
    return plan, seconds


def main() -> None:
    spread = {index: f"dc-{index % CLOUDS:02d}" for index in range(PROJECTS)}
    alone = dict.fromkeys(range(PROJECTS), "dc-00")
    with tempfile.TemporaryDirectory() as folder:
        many, many_s = timed_plan(spread, Path(folder) / "many")
        one, one_s = timed_plan(alone, Path(folder) / "one")
    print(f"clouds: {PROJECTS} projects, no-change plan, {LATENCY * 1000:.0f} ms per call")
    per_cloud = f"{CLOUDS} clouds x {PROJECTS // CLOUDS} projects"
    print(f"  {per_cloud} {many.api_calls:>6,} calls {many_s:7.2f} s")
    print(f"  1 cloud x {PROJECTS} projects     {one.api_calls:>6,} calls {one_s:7.2f} s")
    print(f"  ratio ({CLOUDS} clouds / 1 cloud): time {many_s / one_s:.2f}x (goal <= 1.5x)")
