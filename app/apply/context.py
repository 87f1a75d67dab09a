"""Per project, what its steps need: the cloud's client, its catalog, and the ids known now."""

from __future__ import annotations

from collections import defaultdict

from app.apply.operations.base import Context
from app.cloudstack.clouds import Clouds
from app.cloudstack.live import read_live
from app.plan.model import Plan
from app.spec.state import DesiredState


class CloudUnreadable(RuntimeError):
    """A cloud the plan touches could not be read: nothing is applied there."""


def contexts(clouds: Clouds, plan: Plan, desired: DesiredState, commit: str) -> dict[str, Context]:
    default = desired.settings.defaults.cloud or "default"
    cloud_of = {
        name: (desired.projects[name].cloud if name in desired.projects else default)
        for name in {change.project for change in plan.changes}
    }
    wanted: dict[str, set[str]] = defaultdict(set)
    for name, cloud in cloud_of.items():
        wanted[cloud].add(name)
    tenancy = {c.project for c in plan.changes if c.kind in ("project", "project_member")}
    live = read_live(clouds, plan.repo, wanted, tenancy=tenancy)
    if live.unreachable:
        raise CloudUnreadable(
            "; ".join(f"{c}: {why}" for c, why in sorted(live.unreachable.items()))
        )
    found = {}
    leaving = {
        name: frozenset(
            f"{c.kind}/{c.name}" for c in plan.changes if c.project == name and c.destructive
        )
        for name in cloud_of
    }
    for name, cloud in cloud_of.items():
        catalog = live.catalogs[cloud]
        project = live.projects.get(name)
        ref = catalog.projects.get(name)  # None: the plan creates it (its step sets the id)
        ids = {
            f"{kind}/{key}": obj.id
            for (kind, key), obj in (project.objects if project else {}).items()
        }
        found[name] = Context(
            client=clouds.client(cloud),
            catalog=catalog,
            project_id=project.id if project else (ref.id if ref else ""),
            repo=plan.repo,
            commit=commit,
            ids=ids,
            desired=desired.projects.get(name),
            leaving=leaving[name],
            tenancy=clouds.tenancy_client(cloud) if name in tenancy else None,
            directory=live.directories.get(cloud),
            domain_id=ref.domain_id if ref else "",
        )
    return found
