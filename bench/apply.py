"""Apply N instances (default 200) at concurrency 8 in two profiles of sandbox job times: the
executor's wall time against the ideal (deploy job time x ceil(N / concurrency)), all in this
run on fresh sandboxes.

- even: every async job takes 1 s; also run serially (concurrency 1), the same executor.
- cloud: a deploy takes 3 s and every other job (tags, the network's) 0.2 s, closer to a
  real cloud, where a deploy takes far longer than a tag.

An instance's tag jobs run beside its deploy's, so the ideal counts only the deploys; what
is left is the network's wave before them, each job's detection (the shared poll) and the
calls around each deploy.
"""

from __future__ import annotations

import math
import os
import tempfile
import time
from dataclasses import dataclass, field
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


@dataclass(frozen=True)
class Profile:
    name: str
    job_seconds: float  # every async job's time, unless named below
    per_command: dict[str, float] = field(default_factory=dict)

    @property
    def deploy(self) -> float:
        return self.per_command.get("deployVirtualMachine", self.job_seconds)


EVEN = Profile("even", 1.0)
CLOUD = Profile("cloud", 0.2, {"deployVirtualMachine": 3.0})


def timed_apply(root: Path, concurrency: int, profile: Profile) -> float:
    sandbox = start_sandbox(api_key=KEY, secret_key=SECRET)
    try:
        settings = Settings.model_validate(
            {
                "cloudstack_url": sandbox.url,
                "cloudstack_api_key": KEY,
                "cloudstack_secret_key": SECRET,
                "database_url": f"sqlite:///{root}/bench-{profile.name}-{concurrency}.db",
            }
        )
        desired = load_repo(root)
        with Clouds(settings) as clouds:
            plan = plan_projects(desired, clouds, "bench/apply")
            knobs = {"job_seconds": profile.job_seconds}
            apply_knobs(sandbox.api, {**knobs, "job_seconds_per_command": profile.per_command})
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
        even = timed_apply(root, CONCURRENCY, EVEN)
        cloud = timed_apply(root, CONCURRENCY, CLOUD)
        serial = timed_apply(root, 1, EVEN)
    waves = math.ceil(INSTANCES / CONCURRENCY)
    print(f"apply: {INSTANCES} instances, concurrency {CONCURRENCY}, load {os.getloadavg()[0]:.1f}")
    for profile, seconds in ((EVEN, even), (CLOUD, cloud)):
        ideal = profile.deploy * waves
        jobs = f"deploy {profile.deploy:g} s, other jobs {profile.job_seconds:g} s"
        print(f"  {profile.name:5} ({jobs}): executor {seconds:6.1f} s, ideal {ideal:6.1f} s"
              f" ({seconds / ideal:.2f}x the ideal)")  # fmt: skip
    faster = serial / even
    print(f"  even, serial: {serial:6.1f} s (the executor is {faster:.1f}x faster)")


if __name__ == "__main__":
    main()
