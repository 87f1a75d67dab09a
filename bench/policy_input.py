"""The policy input the service builds for a real plan of N changes: projects of
bench/loader.py's repo (50 objects each, `projects.*.resources` included) planned against a
cloud that has none of their objects yet, judged in a pull request."""

from __future__ import annotations

from typing import Any

from app.cloudstack.model import (
    Catalog,
    DiskOffering,
    LiveProject,
    LiveState,
    NetworkOffering,
    ProjectRef,
    ProjectUsage,
    Quota,
    ServiceOffering,
    Template,
    Zone,
)
from app.events.model import Approval, PullRequest
from app.plan.compute import compute_plan
from app.policy.input import build_input
from app.spec import load_desired_state
from app.spec.sources import MemorySource
from bench.loader import project_text

PER_PROJECT = 50  # changes a new project of bench/loader.py's repo makes
CLOUD = "default"
ISOLATED = "isolated"


def _catalog(names: list[str]) -> Catalog:
    zone = Zone("zone-a-id", "zone-a")
    return Catalog(
        zones={zone.name: zone},
        service_offerings={"medium": ServiceOffering("so-medium", "medium", 2, 4096, False)},
        disk_offerings={"standard": DiskOffering("do-standard", "standard", 0, True)},
        templates={("ubuntu-22.04", zone.id): Template("t-ubuntu", "ubuntu-22.04", zone.id, 10)},
        network_offerings={
            ISOLATED: NetworkOffering(
                "no-iso", ISOLATED, "Isolated", ("Dhcp", "Dns", "Firewall", "SourceNat")
            )
        },
        projects={name: ProjectRef(f"p-{name}", name) for name in names},
    )


def _usage(name: str) -> ProjectUsage:
    """A project whose 20 new instances bring it near its instance limit, over its cpu limit."""
    quotas = {
        "instances": Quota(18, 40, "count"),
        "cpu": Quota(50, 80, "count"),
        "memory": Quota(40960, 163840, "MiB"),
    }
    return ProjectUsage(name, f"p-{name}", quotas)


def policy_input(changes: int) -> dict[str, Any]:
    """The document of a plan that makes exactly ``changes`` changes (a multiple of 50)."""
    if changes % PER_PROJECT:
        raise ValueError(f"{changes} is not a multiple of {PER_PROJECT}")
    names = [f"team-{index:03d}" for index in range(changes // PER_PROJECT)]
    files = {
        f"projects/{name}.yaml": project_text(index, ISOLATED).encode()
        for index, name in enumerate(names)
    }
    desired = load_desired_state(MemorySource(files))
    live = LiveState(
        projects={name: LiveProject(name, f"p-{name}", {}, (), CLOUD) for name in names},
        usage={name: _usage(name) for name in names},
        catalogs={CLOUD: _catalog(names)},
    )
    plan = compute_plan(desired, live, "bench/policy")
    if len(plan.changes) != changes:
        raise RuntimeError(f"{len(plan.changes)} changes, not {changes}")
    pull_request = PullRequest(
        "github", "acme/infra", 7, "bob", "main", "abc123", labels=("infra",),
        approvals=(Approval("alice", "abc123"),),
    )  # fmt: skip
    return build_input(plan, desired, pull_request)
