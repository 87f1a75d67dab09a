"""The Plan: an immutable value of changes, quota impact, cost and diagnostics, with a hash.

Computed once, then rendered, stored, hashed, evaluated by policy and applied, always from
this one form. Values inside changes are in the repo's terms (names, GiB, MiB), never ids
a reviewer could not read; the ids an apply needs ride along in ``live_id``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from app.spec.diagnostics import Diagnostic

FORMAT_VERSION = 1


class Action(StrEnum):
    CREATE = "create"
    UPDATE = "update"  # in place, no downtime
    UPDATE_STOP = "update-stop"  # in place, but the instance is stopped and started
    REPLACE = "replace"  # destroyed and created again: destructive
    DELETE = "delete"
    # an existing untagged object the repo declares: tagged, and updated where fields differ
    ADOPT = "adopt"
    NOOP = "no-op"


DESTRUCTIVE = (Action.REPLACE, Action.DELETE)


@dataclass(frozen=True)
class FieldChange:
    field: str
    before: Any
    after: Any


@dataclass(frozen=True)
class Change:
    action: Action
    kind: str  # see order.KIND_ORDER
    project: str
    name: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    changed: tuple[FieldChange, ...] = ()
    reason: str = ""  # why this action, in a sentence
    lost: str = ""  # for replace and delete: what does not survive
    file: str = ""
    line: int = 0
    live_id: str | None = None
    protected: bool = False  # the live object is marked protected

    @property
    def address(self) -> str:
        return f"{self.project}/{self.kind}/{self.name}"

    @property
    def destructive(self) -> bool:
        return self.action in DESTRUCTIVE


@dataclass(frozen=True)
class QuotaLine:
    project: str
    resource: str  # instances, cpu, memory, volumes, primary_storage, networks, public_ips
    unit: str  # count, MiB, GiB
    used: int
    change: int
    pending: int
    limit: int | None  # after this plan's limit changes; None: unlimited
    scope: str = "project"  # or "domain": then ``project`` is the domain's path, ROOT/apps/x

    @property
    def after(self) -> int:
        return self.used + self.change + self.pending

    @property
    def headroom(self) -> int | None:
        return None if self.limit is None else self.limit - self.after

    @property
    def status(self) -> str:
        if self.limit is None:
            return "ok"
        if self.after > self.limit:
            return "over"
        return "near" if self.limit and self.after >= 0.9 * self.limit else "ok"


@dataclass(frozen=True)
class CostLine:
    project: str
    currency: str
    before: float  # monthly
    after: float

    @property
    def delta(self) -> float:
        return round(self.after - self.before, 2)


@dataclass(frozen=True)
class Plan:
    repo: str
    projects: tuple[str, ...]
    changes: tuple[Change, ...]  # in apply order; no-ops are left out
    quotas: tuple[QuotaLine, ...] = ()
    costs: tuple[CostLine, ...] = ()
    diagnostics: tuple[Diagnostic, ...] = ()
    live_fingerprint: str = ""  # hash of every live object the plan read
    api_calls: int = 0
    read_seconds: float = 0.0
    format_version: int = FORMAT_VERSION
    counts: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        tally = {action.value: 0 for action in Action if action is not Action.NOOP}
        for change in self.changes:
            tally[change.action.value] += 1
        object.__setattr__(self, "counts", tally)

    @property
    def has_errors(self) -> bool:
        return any(d.is_error for d in self.diagnostics)

    @property
    def has_changes(self) -> bool:
        return bool(self.changes)

    @property
    def summary(self) -> str:
        """ "Plan: 2 to create, 1 to update, 0 to replace, 1 to delete" (", 3 to adopt" only
        when a plan adopts, so plans without adoption read as they always did)."""
        c = self.counts
        updates = c["update"] + c["update-stop"]
        adopts = f", {c['adopt']} to adopt" if c["adopt"] else ""
        return (
            f"Plan: {c['create']} to create, {updates} to update, {c['replace']} to replace, "
            f"{c['delete']} to delete{adopts}"
        )
