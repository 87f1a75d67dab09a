"""What a pull request would get for a checkout: the comment and the three statuses.

Used by `stackgate demo` (and later the CI mode): the same gate and renderer the service
uses, judged with the checkout's own policies/ standing in for the base ref's.
"""

from __future__ import annotations

from pathlib import Path

from app.config import Settings
from app.events.model import PullRequest
from app.flows.gate import Gate, gate
from app.plan.model import Plan
from app.policy.engines import engine_for
from app.policy.input import build_input
from app.policy.sources import platform_policy_set
from app.report.plan_markdown import GITLAB_LIMIT, render_comment
from app.report.review_markdown import policy_section
from app.spec.state import DesiredState


def repo_policies(root: Path) -> dict[str, str]:
    folder = root / "policies"
    if not folder.is_dir():
        return {}
    return {
        path.relative_to(root).as_posix(): path.read_text(encoding="utf-8")
        for path in sorted(folder.rglob("*.rego"))
    }


def preview(
    root: Path, desired: DesiredState, plan: Plan, settings: Settings, author: str
) -> tuple[list[str], Gate]:
    pull = PullRequest("local", plan.repo, 0, author, "main", "HEAD")
    engine = engine_for(settings.opa_url, settings.policy_timeout)
    try:
        policies = platform_policy_set(settings, repo_files=repo_policies(root))
        decision = engine.evaluate(policies, build_input(plan, desired, pull))
    finally:
        engine.close()
    verdict = gate(plan, decision, pull, members=lambda _group: set(), may_approve=bool)
    parts = render_comment(plan, verdict.needed, GITLAB_LIMIT, extra=[policy_section(decision)])
    return parts, verdict
