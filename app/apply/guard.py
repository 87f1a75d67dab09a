"""The guard: a merge applies what was approved, against the cloud it was approved on, or nothing.

The plan recorded for the PR's final head is compared with a plan made at the merge commit
against live state now. Any difference, in the changes or in the fingerprint of the live
objects they act on or name, refuses the apply and says what moved. Pure: plans in, reasons out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from app.plan.model import Change, Plan
from app.plan.serialize import changes_digest

_LIVE_MOVED = (
    "the objects this change acts on or names were changed in CloudStack since the plan "
    "(the same changes, different live objects: an id, a state or a tag moved)"
)


@dataclass(frozen=True)
class Verdict:
    differences: tuple[str, ...]  # sentences for the pull request, in plan order

    @property
    def holds(self) -> bool:
        return not self.differences


def guard(approved: Plan, fresh: Plan) -> Verdict:
    """Does ``fresh`` (at the merge commit, live now) still say exactly what ``approved`` said?"""
    said = _errors(fresh)
    was = {change.address: change for change in approved.changes}
    now = {change.address: change for change in fresh.changes}
    for address, change in was.items():
        if address not in now:
            said.append(f"`{address}` was approved to {change.action.value}; now nothing is to do")
        elif (moved := _moved(change, now[address])) is not None:
            said.append(f"`{address}`: {moved}")
    for address, change in now.items():
        if address not in was:
            why = f" ({change.reason})" if change.reason else ""
            said.append(f"`{address}` now needs {change.action.value}{why}: nobody approved that")
    if not said and approved.live_fingerprint != fresh.live_fingerprint:
        said.append(_LIVE_MOVED)
    return Verdict(tuple(said))


def within(approved: Plan, fresh: Plan) -> bool:
    """Does ``fresh`` ask only for changes ``approved`` asked for, each unmoved? What a retry
    after a part-failed apply plans: the approved changes that failed or were not reached."""
    was = {change.address: change for change in approved.changes}
    return all(
        change.address in was and _moved(was[change.address], change) is None
        for change in fresh.changes
    )


def guard_digests(changes: str, live: str, fresh: Plan) -> Verdict:
    """The guard when only the approved plan's digests are known (a CI job without the
    reviewing job's store reads them from the plan comment's stamp)."""
    said = _errors(fresh)
    if changes_digest(fresh) != changes:
        said.append(
            "the changes at the merge commit are not the ones planned for the approved head: "
            "the plan comment shows what was approved, `/stackgate plan` shows what would run"
        )
    elif live != fresh.live_fingerprint:
        said.append(_LIVE_MOVED)
    return Verdict(tuple(said))


def _errors(fresh: Plan) -> list[str]:
    return [
        f"the plan at the merge commit has an error: {d.message} ({d.location})"
        for d in fresh.diagnostics
        if d.is_error
    ]


def _moved(approved: Change, fresh: Change) -> str | None:
    if approved.action is not fresh.action:
        why = f" ({fresh.reason})" if fresh.reason else ""
        return f"approved to {approved.action.value}, now it needs {fresh.action.value}{why}"
    if approved.live_id != fresh.live_id:
        return f"the live object is another one now ({approved.live_id} → {fresh.live_id})"
    fields = _fields(approved.before, fresh.before) | _fields(approved.after, fresh.after)
    if fields:
        return f"{', '.join(sorted(fields))} differ from what was approved"
    return None


def _fields(one: Mapping[str, Any] | None, other: Mapping[str, Any] | None) -> set[str]:
    one, other = one or {}, other or {}
    return {key for key in one.keys() | other.keys() if one.get(key) != other.get(key)}
