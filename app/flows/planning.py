"""The plan story, shared by the CLI and the service: which projects, read the cloud, compute."""

from __future__ import annotations

from collections.abc import Collection

from app.cloudstack.clouds import Clouds
from app.cloudstack.live import read_live
from app.plan.compute import compute_plan
from app.plan.cost import Prices
from app.plan.model import Plan
from app.plan.quota import Pending
from app.spec.loader import implied_project
from app.spec.sources import SETTINGS_FILE
from app.spec.state import DesiredState


def touched_projects(
    changed: Collection[str], desired: DesiredState, before: DesiredState | None
) -> set[str]:
    """Projects whose files changed, now or at the base (a deleted file still names its project)."""
    states = [state for state in (desired, before) if state is not None]
    if SETTINGS_FILE in changed:  # defaults and allowed clouds reach every project
        return {name for state in states for name in state.projects}
    names = {
        p.name for state in states for p in state.projects.values() if set(p.files) & set(changed)
    }
    known = {file for state in states for p in state.projects.values() for file in p.files}
    names |= {
        implied_project(path) for path in changed if path not in known and implied_project(path)
    }
    return names


def changed_projects(desired: DesiredState, before: DesiredState) -> set[str]:
    """Projects that differ between two states of the repo, whoever changed them."""
    names = desired.projects.keys() | before.projects.keys()
    if desired.settings != before.settings:
        return set(names)
    return {name for name in names if desired.projects.get(name) != before.projects.get(name)}


def plan_projects(
    desired: DesiredState,
    clouds: Clouds,
    repo: str,
    projects: Collection[str] | None = None,
    before: DesiredState | None = None,
    pending: Pending | None = None,
    prices: Prices | None = None,
    outages_raise: bool = True,
) -> Plan:
    """Plan ``projects`` (None: the whole repo, plus projects it manages that left the repo).
    A cloud outage raises (a job retries it) unless ``outages_raise`` is off: then, as any
    cloud that cannot be read, it is a diagnostic of the plan (what a person at the CLI sees)."""
    names = set(projects) if projects is not None else set(desired.projects)
    wanted: dict[str, set[str]] = {}
    for name in names:
        project = desired.projects.get(name) or (before.projects.get(name) if before else None)
        cloud = project.cloud if project else desired.settings.defaults.cloud or "default"
        wanted.setdefault(cloud, set()).add(name)
    if projects is None:
        for cloud in {p.cloud for p in desired.projects.values()}:
            wanted.setdefault(cloud, set())
    balancers = {name: set(p.load_balancers) for name, p in desired.projects.items()}
    live = read_live(
        clouds, repo, wanted, projects is None, outages_raise, tenancy(desired), balancers
    )
    return compute_plan(
        desired, live, repo, sorted(names) if projects is not None else None, pending, prices
    )


def tenancy(desired: DesiredState) -> set[str]:
    """Projects whose domain or members the repo names: their directory and members are read."""
    return {
        name
        for name, project in desired.projects.items()
        if project.members is not None or (name, "domain") in desired.sources.origins
    }


def repo_name(desired: DesiredState, fallback: str) -> str:
    return desired.settings.repo or fallback
