"""A plan as apply runs it: each replace split into the delete of the old object and the
create of the new one, each in its own wave.

So a replaced network's instances are gone before it goes, and it is back before they come
back; a delete that fails makes its own create skip, and nothing is left half-replaced
without the step that failed saying so.
"""

from __future__ import annotations

from dataclasses import replace

from app.plan.model import Action, Plan
from app.plan.order import apply_order


def steps_of(plan: Plan) -> Plan:
    if not any(change.action is Action.REPLACE for change in plan.changes):
        return plan
    split = []
    for change in plan.changes:
        if change.action is not Action.REPLACE:
            split.append(change)
            continue
        why = f"replaced: {change.reason}" if change.reason else "replaced"
        split.append(replace(change, action=Action.DELETE, after=None, changed=(), reason=why))
        split.append(
            replace(change, action=Action.CREATE, before=None, changed=(), reason=why, live_id=None)
        )
    return replace(plan, changes=apply_order(split))
