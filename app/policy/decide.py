"""The one way either engine turns its answer into a Decision, failing closed on errors."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from app.policy.locate import unlocated
from app.policy.model import PACKAGE, Decision, PolicyFailure, PolicySet, decision_from

Query = Callable[[PolicySet, dict[str, Any], str], Any]


def decide(query: Query, engine: str, policies: PolicySet, input_doc: dict[str, Any]) -> Decision:
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
