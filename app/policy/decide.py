"""The one way either engine turns its answers into a Decision: the platform's policies judged
alone and, beside the repo's, together, the two unioned; failing closed on errors."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from app.policy.locate import unlocated
from app.policy.model import PACKAGE, Decision, PolicyFailure, PolicySet, decision_from

Query = Callable[[PolicySet, dict[str, Any], str], Any]


def decide(query: Query, engine: str, policies: PolicySet, input_doc: dict[str, Any]) -> Decision:
    """Separate evaluations rather than one: in one, a repo module defining a platform helper
    (``labelled(_, _) if true``) would switch a platform rule off; apart, what the platform
    alone decides stands and the repo's policies can only add to it."""
    found = [_layer(query, engine, layer, input_doc) for layer in policies.layers]
    return Decision(
        deny=tuple(sorted({f for d in found for f in d.deny})),
        warn=tuple(sorted({f for d in found for f in d.warn})),
        approvals=tuple(sorted({r for d in found for r in d.approvals})),
        errors=tuple(dict.fromkeys(e for d in found for e in d.errors)),
        notes=policies.notes,
        engine=engine,
    )


def _layer(query: Query, engine: str, policies: PolicySet, input_doc: dict[str, Any]) -> Decision:
    try:
        document = query(policies, input_doc, f"data.{PACKAGE}")
        return decision_from(document, engine, policies.notes)
    except PolicyFailure as failure:
        return Decision(errors=(failure.error,), notes=policies.notes, engine=engine)
    except ValueError as problem:
        return Decision(
            errors=(unlocated(policies.modules, str(problem)),),
            notes=policies.notes,
            engine=engine,
        )
