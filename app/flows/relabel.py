"""Labels added or removed: judge the stored plan again with the PR's labels, without the cloud.

Labels are policy input (``allow-destroy``), never plan input, so the plan of this head stands:
re-reading the cloud would only be slower and could change what reviewers saw. The new
decision replaces the stored one, so the comment, the statuses and a later merge agree. When
the head moved or no plan is stored for it, the whole review runs instead.
"""

from __future__ import annotations

from app.events.model import PullRequest
from app.flows.review import judge, review, say
from app.flows.services import Services
from app.forges.base import Forge
from app.forges.source import ForgeSource
from app.plan.model import Plan
from app.plan.serialize import from_dict
from app.policy.model import Decision
from app.spec.loader import load_desired_state
from app.store import audit, plans


def relabel(services: Services, forge_name: str, repo: str, number: int, actor: str) -> None:
    forge = services.forge(forge_name)
    pull = forge.pull_request(repo, number)
    if pull.state != "open":  # closed before its turn came; the close flow has it
        return
    stored = _stored(services, pull)
    if stored is None:
        review(services, forge_name, repo, number, actor)
        return
    record_id, plan = stored
    decision = rejudge(services, forge, pull, plan)
    with services.sessions.begin() as session:
        plans.set_decision(session, record_id, decision.as_dict())
        labels = ", ".join(pull.labels) or "none"
        audit.audit(session, forge_name, repo, number, actor, "relabeled", f"labels: {labels}")
    say(services, forge, pull, plan, decision)


def _stored(services: Services, pull: PullRequest) -> tuple[int, Plan] | None:
    """The current plan's row id and value, if it was made for the PR's head as it is now."""
    with services.sessions.begin() as session:
        record = plans.current_plan(session, pull.forge, pull.repo, pull.number)
        if record is None or record.head_sha != pull.head_sha:
            return None
        return record.id, from_dict(record.plan)


def rejudge(services: Services, forge: Forge, pull: PullRequest, plan: Plan) -> Decision:
    """The policies' decision on ``plan`` for the PR as it is now (its labels, its files)."""
    head = ForgeSource(forge, pull.repo, pull.plan_ref)
    base = ForgeSource(forge, pull.repo, pull.base_sha or pull.base_ref)
    desired, before = load_desired_state(head), load_desired_state(base)
    changed = forge.changed_paths(pull.repo, pull.number)
    return judge(services, plan, desired, before, pull, base.policies(), changed)
