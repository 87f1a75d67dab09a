"""A plan as apply runs it: each replace split into the delete of the old object and the
create of the new one, each in its own wave; a security group's create naming other groups
split into the group with its other rules and an update that authorizes the rest.

So a replaced network's instances are gone before it goes, and it is back before they come
back; a delete that fails makes its own create skip, and nothing is left half-replaced
without the step that failed saying so. Groups may name each other: each is made first, and
the rules naming another group are authorized in a later wave, once every group is there, so
no step waits for another of its own wave (and none holds a call slot its peer needs).
"""

from __future__ import annotations

from dataclasses import replace

from app.plan.model import Action, Change, Plan
from app.plan.order import apply_order, peers


def steps_of(plan: Plan) -> Plan:
    split = [step for change in plan.changes for step in _steps(change)]
    if len(split) == len(plan.changes):
        return plan
    return replace(plan, changes=apply_order(split))


def _steps(change: Change) -> list[Change]:
    if change.action is Action.REPLACE:
        why = f"replaced: {change.reason}" if change.reason else "replaced"
        gone = replace(change, action=Action.DELETE, after=None, changed=(), reason=why)
        made = replace(
            change, action=Action.CREATE, before=None, changed=(), reason=why, live_id=None
        )
        return [gone, *_steps(made)]
    named = peers(change)
    if change.action is not Action.CREATE or not named:
        return [change]
    alone = dict(change.after or {})
    for direction in ("ingress", "egress"):
        kept = alone.get(direction) or []
        alone[direction] = [rule for rule in kept if rule.get("group") not in named]
    why = f"its rules naming {', '.join(sorted(named))}, once every group is made"
    rest = replace(change, action=Action.UPDATE, before=alone, changed=(), reason=why)
    return [replace(change, after=alone), rest]
