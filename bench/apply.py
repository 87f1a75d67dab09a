"""Apply N instances (default 200) with every sandbox async job taking 1 s: the executor's
wall time against the ideal (job time x ceil(N / concurrency)) and against the same executor
run serially (concurrency 1), both measured in this run on fresh sandboxes.

Each instance costs two jobs in a row (deploy, then the VM's and its root disk's tags side by
side), so even a perfect executor needs two job times per wave; the ideal counts only the
deploy.
"""

from __future__ import annotations

import math
import os
import tempfile
import time
from pathlib import Path

from app.apply.executor import Executor
from app.apply.journal import Journal
from app.cloudstack.clouds import Clouds
from app.config import Settings
from app.flows.planning import plan_projects
from app.sandbox.launch import start_sandbox
from app.sandbox.server import apply_knobs
from app.spec import load_repo
from app.store.database import open_store

INSTANCES = int(os.environ.get("BENCH_INSTANCES", "200"))
JOB_SECONDS = 1.0
CONCURRENCY = 8
KEY, SECRET = "bench-key", "bench-secret"


def write_repo(root: Path, instances: int) -> None:
    network = "{offering: DefaultIsolatedNetworkOfferingWithSourceNatService, cidr: 10.0.0.0/22}"
    lines = [
        "zone: zone-a",
        f"limits: {{instances: {instances}, cpu: {instances}, memory: {instances * 2}GiB, "
        f"volumes: {instances + 10}, primary_storage: {instances * 20}GiB}}",
        f"networks:\n  app: {network}",
        "instances:",
    ]
    lines += [f"  vm-{n}: {{offering: small, template: debian-12, networks: [app]}}" for n in
              range(instances)]  # fmt: skip
    (root / "projects").mkdir()
    (root / "projects" / "payments.yaml").write_text("\n".join(lines) + "\n")


def timed_apply(root: Path, concurrency: int) -> float:
    sandbox = start_sandbox(api_key=KEY, secret_key=SECRET)
    try:
        settings = Settings.model_validate(
            {
                "cloudstack_url": sandbox.url,
                "cloudstack_api_key": KEY,
                "cloudstack_secret_key": SECRET,
                "database_url": f"sqlite:///{root}/bench-{concurrency}.db",
            }
        )
        desired = load_repo(root)
        with Clouds(settings) as clouds:
            plan = plan_projects(desired, clouds, "bench/apply")
            apply_knobs(sandbox.api, {"job_seconds": JOB_SECONDS})
            journal = Journal(open_store(settings.database_url))
            run = journal.start(plan, "bench", "bench")
            start = time.perf_counter()
            done = Executor(clouds, journal, concurrency).apply(run, desired, "bench")
            seconds = time.perf_counter() - start
        failed = [f"{s.address}: {s.error}" for s in done.steps if s.state != "done"]
        assert not failed, f"the bench apply failed: {failed[:3]}"
        return seconds
    finally:
        sandbox.stop()


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        write_repo(root, INSTANCES)
        ours = timed_apply(root, CONCURRENCY)
        serial = timed_apply(root, 1)
    ideal = JOB_SECONDS * math.ceil(INSTANCES / CONCURRENCY)
    print(f"apply: {INSTANCES} instances, job time {JOB_SECONDS:g} s, concurrency {CONCURRENCY}")
    print(f"  executor      {ours:8.1f} s")
    print(f"  ideal         {ideal:8.1f} s   (executor is {ours / ideal:.2f}x the ideal)")
    print(f"  serial        {serial:8.1f} s   (executor is {serial / ours:.1f}x faster)")


if __name__ == "__main__":
    main()
