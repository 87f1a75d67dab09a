"""Opened, pushed, reopened, ready, `/stackgate plan`: lock, plan, judge, comment, gate."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace

from app.events.model import PullRequest
from app.flows import trust
from app.flows.gate import PLAN, Gate, blocked, gate, unmergeable
from app.flows.letgo import hold
from app.flows.planning import plan_projects, repo_name, touched_projects
from app.flows.reserve import pending_for
from app.flows.services import Services
from app.flows.signoff import bind_to_shown, may_approve, signed
from app.forges.base import Forge, StatusState
from app.forges.source import ForgeSource
from app.metrics import PLAN_SECONDS
from app.plan.model import Plan
from app.plan.serialize import plan_hash, to_dict
from app.policy.input import build_input
from app.policy.model import DATA_ROOT, Decision, PolicySet, Requirement
from app.policy.sources import REPO_POLICIES
from app.report.plan_markdown import render_comment
from app.report.review_markdown import (
    conflict_comment,
    draft_note,
    fork_note,
    locked_comment,
    policy_section,
    vouch_note,
)
from app.report.stamp import Stamp
from app.spec.loader import load_desired_state
from app.spec.state import DesiredState
from app.store import audit, plans


def review(
    services: Services, forge_name: str, repo: str, number: int, actor: str, vouch: bool = False
) -> None:
    """``vouch``: ``actor`` has write access and asked for this plan (`/stackgate plan`)."""
    forge = services.forge(forge_name)
    pull = forge.pull_request(repo, number)
    if pull.state != "open":  # closed before its turn came; the close flow has it
        return
    if pull.conflict:  # no merge result to plan: planning the head would show false deletions
        forge.upsert_comment(repo, number, [conflict_comment(repo, pull.conflict)])
        _statuses(services, forge, pull, unmergeable())
        return
    forge.set_status(repo, pull.head_sha, PLAN, StatusState.PENDING, "Planning…", _url(services))
    head = ForgeSource(forge, repo, pull.plan_ref)
    base = ForgeSource(forge, repo, pull.base_sha or pull.base_ref)
    desired, before = load_desired_state(head), load_desired_state(base)
    changed = forge.changed_paths(repo, number)
    touched = touched_projects(changed, desired, before)
    with services.sessions() as session:
        pending = pending_for(session, forge_name, repo, number)
    with PLAN_SECONDS.labels(forge_name).time():
        plan = plan_projects(
            desired,
            services.clouds,
            repo_name(desired, services.repo_id(forge_name, repo)),
            touched,
            before,
            pending,
            prices=services.settings.prices,
        )
    if vouch:
        with services.sessions.begin() as session:
            trust.vouch(session, pull, actor)
    withheld = trust.withheld(services, forge, pull)
    with services.sessions.begin() as session:
        # approvals given while the old plan showed were given to it, not to the new one
        bind_to_shown(session, forge_name, pull)
        # only the projects it changes; none for a draft or one nobody vouched for yet
        holders = hold(session, pull, plan, bool(withheld))
        if holders:
            audit.audit(session, forge_name, repo, number, actor, "locked-out", str(holders))
    if holders:
        noun = services.pr_noun(forge_name)
        forge.upsert_comment(repo, number, [locked_comment(repo, holders, noun)])
        _statuses(services, forge, pull, blocked(holders, noun))
        return
    decision = judge(services, plan, desired, before, pull, base.policies(), changed)
    publish(services, forge, pull, plan, decision, actor, withheld)


def judge(
    services: Services,
    plan: Plan,
    desired: DesiredState,
    before: DesiredState,
    pull: PullRequest,
    base_policies: dict[str, str],
    changed: Collection[str],
) -> Decision:
    """Rules from the platform and the BASE ref only, owners from the base too: a PR can
    neither weaken what judges it nor pick who approves it. ``changed``: the PR's paths."""
    policies = services.policies(base_policies)
    decision = services.engine.evaluate(policies, build_input(plan, desired, pull, before))
    reasons = []
    if any(path.startswith(REPO_POLICIES) for path in changed):
        # It cannot weaken its own judges, but it would weaken every later PR's.
        reasons.append("changes to the repo's policies need the platform team")
    # A new project's owners are named by this very PR: they cannot be the ones who let it in.
    reasons += [
        f"project {project} is new to the repo; the platform team approves it and its owners"
        for project in sorted(set(plan.projects) - set(before.projects))
    ]
    return _platform_must_approve(decision, policies, reasons)


def platform_group(policies: PolicySet) -> str:
    """The platform team's group, as the platform's policies name it (their data comes only
    from the trusted folders, never from the repo)."""
    return str(policies.data.get(DATA_ROOT, {}).get("platform_group", "@platform"))


def _platform_must_approve(decision: Decision, policies: PolicySet, reasons: list[str]) -> Decision:
    """The platform team signs off for each reason, whatever the policies say."""
    if not reasons:
        return decision
    group = (platform_group(policies),)
    needed = {Requirement(reason, 1, group) for reason in reasons}
    return replace(decision, approvals=tuple(sorted({*decision.approvals, *needed})))


def publish(
    services: Services,
    forge: Forge,
    pull: PullRequest,
    plan: Plan,
    decision: Decision,
    actor: str,
    withheld: str,
) -> None:
    """Store the plan with its decision, then say it (``withheld``: why it holds no locks)."""
    body = to_dict(plan)
    with services.sessions.begin() as session:
        plans.save_plan(
            session,
            forge.name,
            pull.repo,
            pull.number,
            pull.head_sha,
            body,
            plan_hash(plan, body),
            decision.as_dict(),
        )
        audit.audit(session, forge.name, pull.repo, pull.number, actor, "planned", plan.summary)
    say(services, forge, pull, plan, decision, withheld)


def say(
    services: Services,
    forge: Forge,
    pull: PullRequest,
    plan: Plan,
    decision: Decision,
    withheld: str | None = None,
) -> None:
    """The sticky comment and the three statuses for this head, approvals as they are now;
    ``withheld`` (why it holds no locks) is read from the forge when not given."""
    if withheld is None:
        withheld = trust.withheld(services, forge, pull)
    with services.sessions.begin() as session:
        pull = signed(session, forge.name, pull, plan)
    verdict = gate(
        plan,
        decision,
        pull,
        members=lambda group: forge.group_members(pull.repo, group),
        may_approve=may_approve(forge, pull),
    )
    extra = [policy_section(decision, plan_errors=plan.has_errors)]
    extra += [draft_note()] if pull.draft else []
    extra += [fork_note()] if pull.fork else []
    extra += (
        [vouch_note(withheld, services.pr_noun(forge.name))] if withheld and plan.changes else []
    )
    title = f"stackgate plan at `{pull.head_sha[:8]}`"
    parts = render_comment(plan, verdict.needed, forge.comment_limit, title, extra)
    parts[0] += Stamp.of(plan, pull.head_sha).render()  # for a merge with no shared store
    forge.upsert_comment(pull.repo, pull.number, parts)
    _statuses(services, forge, pull, verdict)


def _statuses(services: Services, forge: Forge, pull: PullRequest, verdict: Gate) -> None:
    for check in verdict.checks:
        forge.set_status(
            pull.repo, pull.head_sha, check.context, check.state, check.description, _url(services)
        )


def _url(services: Services) -> str:
    return services.settings.public_url
