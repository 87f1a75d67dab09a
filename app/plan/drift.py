"""Drift: what a plan of the default branch says about the cloud, in the words of an audit.

Planning the default branch should find nothing to do once every merge is applied; each
change it does find is a place where the cloud and the repo disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from app.plan.model import Action, Change, Plan


class DriftKind(StrEnum):
    MISSING = "missing"  # in the repo, not in the cloud
    CHANGED = "changed"  # in both, but the cloud differs (changed out of band, or failed)
    LEFTOVER = "leftover"  # managed by this repo in the cloud, gone from the repo
    UNADOPTED = "unadopted"  # in the repo, and in the cloud untagged: a pull request adopts it


@dataclass(frozen=True)
class Drift:
    kind: DriftKind
    change: Change  # what a plan would do about it; its before is the cloud, after the repo


def _kind(action: Action) -> DriftKind:
    if action is Action.CREATE:
        return DriftKind.MISSING
    if action is Action.DELETE:
        return DriftKind.LEFTOVER
    if action is Action.ADOPT:
        return DriftKind.UNADOPTED
    return DriftKind.CHANGED


def drift_of(plan: Plan) -> tuple[Drift, ...]:
    """Every disagreement the plan found, by project and address."""
    found = (Drift(_kind(change.action), change) for change in plan.changes)
    return tuple(sorted(found, key=lambda d: (d.change.project, d.change.address)))
