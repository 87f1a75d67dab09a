"""A plan as apply runs it: each replace split into the delete of the old object and the
create of the new one, each in its own wave; a security group's create naming other groups
split into the group with its other rules and an update that authorizes the rest; a
group's delete, or an update that stops naming a group and authorizes too, or keeps naming
a group the plan replaces, preceded by an update that revokes those rules naming groups.

So a replaced network's instances are gone before it goes, and it is back before they come
back; a delete that fails makes its own create skip, and nothing is left half-replaced
without the step that failed saying so. Groups may name each other: each is made first, and
the rules naming another group are authorized in a later wave, once every group is there, so
no step waits for another of its own wave (and none holds a call slot its peer needs).
CloudStack deletes no group a rule names, its own rules included (536): every such rule of
the groups a run deletes is revoked before the first group goes, which undoes cycles too.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from app.plan.model import Action, Change, Plan
from app.plan.order import apply_order, named_groups, peers, revokes_only, unnamed


def steps_of(plan: Plan) -> Plan:
    replaced = {
        (change.project, change.name)
        for change in plan.changes
        if change.kind == "security_group" and change.action is Action.REPLACE
    }
    split = [step for change in plan.changes for step in _steps(change, replaced)]
    if len(split) == len(plan.changes):
        return plan
    return replace(plan, changes=apply_order(split))


def _steps(change: Change, replaced: set[tuple[str, str]]) -> list[Change]:
    if change.action is Action.REPLACE:
        why = f"replaced: {change.reason}" if change.reason else "replaced"
        gone = replace(change, action=Action.DELETE, after=None, changed=(), reason=why)
        made = replace(
            change, action=Action.CREATE, before=None, changed=(), reason=why, live_id=None
        )
        return [*_steps(gone, replaced), *_steps(made, replaced)]
    if change.kind != "security_group":
        return [change]
    again = _renamed(change, replaced)
    dropped = named_groups(change.before) if change.action is Action.DELETE else unnamed(change)
    if (dropped or again) and (change.action is Action.DELETE or again or not revokes_only(change)):
        dropped |= again
        alone = _without(change.before, dropped)
        why = f"its rules naming {', '.join(sorted(dropped))} revoked, so that groups can go"
        first = replace(change, action=Action.UPDATE, after=alone, changed=(), reason=why)
        # from what the revoke leaves, so it runs after the groups are made, not with deletes
        return [first, replace(change, before=alone) if again else change]
    if change.action is Action.CREATE and (named := peers(change)):
        alone = _without(change.after, named)
        why = f"its rules naming {', '.join(sorted(named))}, once every group is made"
        rest = replace(change, action=Action.UPDATE, before=alone, changed=(), reason=why)
        return [replace(change, after=alone), rest]
    return [change]


def _renamed(change: Change, replaced: set[tuple[str, str]]) -> frozenset[str]:
    """The replaced groups an updated group names before and after: revoked before the old
    group goes, authorized again to the new one."""
    if change.action is not Action.UPDATE:
        return frozenset()
    kept = named_groups(change.before) & peers(change)
    return frozenset(name for name in kept if (change.project, name) in replaced)


def _without(values: dict[str, Any] | None, named: frozenset[str]) -> dict[str, Any]:
    """A group's values without its rules naming these groups."""
    alone = dict(values or {})
    for direction in ("ingress", "egress"):
        kept = alone.get(direction) or []
        alone[direction] = [rule for rule in kept if rule.get("group") not in named]
    return alone
