"""A GitLab merge train's pipeline: the train's merged result (the target, the merge requests
ahead in the train and this one) is checked as a merge queue's group is, before it merges.

The merge requests ahead are each checked by their own train pipeline; this one's checks
that its own projects would still change exactly as it had approved (the stored plan, or the
plan comment's stamp when the job has a store of its own), and that the train's plan as a
whole has no error: a quota the train goes over only together fails it here.
"""

from __future__ import annotations

from app.apply.guard import guard, guard_digests
from app.flows.mergegroup import refusal
from app.flows.planning import changed_projects, plan_projects, repo_name, touched_projects
from app.flows.services import Services
from app.forges.source import ForgeSource
from app.plan.model import Plan
from app.plan.serialize import from_dict
from app.report.stamp import Stamp
from app.spec.loader import load_desired_state
from app.store import plans
from app.store.tables import PlanRecord


def check_train(services: Services, forge_name: str, repo: str, number: int, train: str) -> str:
    """Why the merged result ``train`` does not hold for merge request ``number``; "" if it
    does. Each reason is told on the merge request as well."""
    forge = services.forge(forge_name)
    pull = forge.pull_request(repo, number)
    desired = load_desired_state(ForgeSource(forge, repo, train))
    before = load_desired_state(ForgeSource(forge, repo, pull.base_ref))
    mine = touched_projects(forge.changed_paths(repo, number), desired, before)
    tag_repo = repo_name(desired, services.repo_id(forge_name, repo))
    prices = services.settings.prices
    together = plan_projects(
        desired, services.clouds, tag_repo, mine | changed_projects(desired, before), before
    )
    fresh = plan_projects(desired, services.clouds, tag_repo, mine, before, prices=prices)
    with services.sessions() as session:
        record = plans.plan_for_head(session, forge_name, repo, number, pull.head_sha)
    reasons = _approved(services, forge_name, repo, number, pull.head_sha, record, fresh)
    # the train's own errors (a quota it goes over together) say "at the merge commit"
    reasons += [d for d in guard(together, together).differences if d not in reasons]
    if reasons:
        noun = services.pr_noun(forge_name)
        forge.comment(repo, number, refusal("merge train's result", train, reasons, noun))
    return "; ".join(reasons)


def _approved(
    services: Services,
    forge_name: str,
    repo: str,
    number: int,
    head: str,
    record: PlanRecord | None,
    fresh: Plan,
) -> list[str]:
    """How ``fresh`` (this merge request's projects in the train) differs from its approval."""
    if record is not None:
        return list(guard(from_dict(record.plan), fresh).differences)
    forge = services.forge(forge_name)
    stamp = Stamp.find(forge.sticky_comment(repo, number) or "")
    if stamp is None or stamp.head != head:
        return [f"no plan was made for the head `{head[:12]}` the train merges"]
    return list(guard_digests(stamp.changes, stamp.live, fresh).differences)
