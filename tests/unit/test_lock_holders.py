"""Who holds a project, as a blocked pull request is told: another PR, or a heal under way."""

from __future__ import annotations

from app.flows.gate import blocked
from app.forges.base import StatusState
from app.report.review_markdown import locked_comment


def test_a_heal_holds_a_project_under_its_own_name_not_as_pull_request_0() -> None:
    verdict = blocked({"payments": 0, "search": 7}, "merge request")
    plan = verdict.checks[0]
    assert (plan.state, plan.description) == (
        StatusState.FAILURE,
        "Project payments is locked by stackgate's reconcile, healing it",
    )
    assert verdict.needed == (
        "project `payments` is locked by stackgate's reconcile, healing it",
        "project `search` is locked by merge request #7",
    )
    comment = locked_comment("acme/infra", {"payments": 0}, "merge request")
    assert "#0" not in comment and "healing it" in comment
