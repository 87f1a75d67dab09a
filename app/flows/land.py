"""Merged: apply what was approved, once, and tell the pull request exactly what happened.

The close job of a merged pull request lands here, and so does `/stackgate apply` after a
refused or failed apply. A run already in the journal is resumed, never started over; a run
already told is not told twice; a new run starts only after the guard (at merge) or the whole
gate again (on `/stackgate apply`) holds. The projects stay locked until the cloud matches.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass, replace

from app.apply.executor import Executor, unsupported
from app.apply.guard import guard, guard_digests, within
from app.apply.journal import Journal, Run
from app.events.model import Approval, PullRequest
from app.flows.gate import MayApprove, approvers, gate
from app.flows.letgo import let_go
from app.flows.planning import plan_projects, repo_name, touched_projects
from app.flows.reserve import replan_contenders
from app.flows.review import judge
from app.flows.services import Services
from app.flows.signoff import may_approve, signed
from app.forges.base import Forge, ForgeError, StatusState
from app.forges.source import ForgeSource
from app.notify import apply_ended
from app.plan.model import Plan
from app.plan.serialize import from_dict
from app.policy.model import Decision
from app.report.apply_markdown import applied, refused
from app.report.review_markdown import holder
from app.report.stamp import Stamp
from app.spec.loader import load_desired_state
from app.spec.state import DesiredState
from app.store import audit, locks, plans

APPLY = "stackgate/apply"
log = logging.getLogger("stackgate.apply")


@dataclass(frozen=True)
class Landing:
    """A merged pull request and what its merge commit says."""

    services: Services
    forge: Forge
    pull: PullRequest
    desired: DesiredState
    tag_repo: str  # how the cloud's tags name the repo

    @property
    def noun(self) -> str:
        return self.services.pr_noun(self.forge.name)


def land(
    services: Services,
    forge_name: str,
    repo: str,
    number: int,
    actor: str,
    retried_by: str | None = None,
    stamped: bool = False,
    landed: str = "",
) -> None:
    """Apply a merged PR (``retried_by``: the writer who commented `/stackgate apply`;
    ``stamped``: a CI job with no store shared with its review may trust the comment's stamp;
    ``landed``: the base branch's new tip when a merge queue landed it with its group, which
    the host may not show as merged yet)."""
    forge = services.forge(forge_name)
    pull = forge.pull_request(repo, number)
    if landed:
        pull = replace(pull, merged_sha=landed, state="merged")
    if not pull.merged_sha:
        if retried_by is not None:
            forge.comment(repo, number, _NOT_MERGED)
            return
        # The merge event came before the API shows the merge: worth another try shortly.
        raise ForgeError(f"{repo}#{number} is not shown as merged yet", transient=True)
    desired = load_desired_state(ForgeSource(forge, repo, pull.merged_sha))
    here = Landing(
        services, forge, pull, desired, repo_name(desired, services.repo_id(forge_name, repo))
    )
    journal = Journal(services.sessions)
    run = journal.unfinished(here.tag_repo, forge_name, number)
    if run is None:
        last = journal.latest(here.tag_repo, forge_name, number)
        if last is not None and retried_by is None:  # a redelivered or retried merge job
            run = last
        else:
            run = _begin(here, journal, actor, retried_by, stamped)
            if run is None:
                return
    if run.state == "running":
        forge.set_status(repo, pull.merged_sha, APPLY, StatusState.PENDING, "Applying…", _url(here))
        executor = Executor(services.clouds, journal, services.settings.apply_concurrency)
        run = executor.apply(run, desired, pull.merged_sha)
    if not run.reported:
        _report(here, journal, run, actor)


def _begin(
    here: Landing, journal: Journal, actor: str, retried_by: str | None, stamped: bool
) -> Run | None:
    """A new run of the approved plan (guarded), or of a fresh plan (gated again); None when
    refused, which the PR has been told."""
    services, forge, pull = here.services, here.forge, here.pull
    with services.sessions() as session:
        record = plans.plan_for_head(session, forge.name, pull.repo, pull.number, pull.head_sha)
    if record is None and retried_by is None and not stamped:
        # Never planned at this head, or its plan was dropped (unlocked): nothing approved.
        _refuse(here, [_NO_PLAN.format(head=pull.head_sha[:12])], actor, False, holds=False)
        return None
    base = ForgeSource(forge, pull.repo, pull.base_sha or pull.base_ref)
    before = load_desired_state(base)
    # The PR's paths, read once, where the projects or the policies must be worked out anew.
    changed = forge.changed_paths(pull.repo, pull.number) if record is None or retried_by else set()
    if record is not None:
        projects: set[str] | tuple[str, ...] = from_dict(record.plan).projects
    else:
        projects = touched_projects(changed, here.desired, before)
    if retried_by is not None and (holders := _take(here, projects)):
        _refuse(here, [_held(holders, here.noun)], actor, True, holds=False)
        return None
    fresh = plan_projects(
        here.desired,
        services.clouds,
        here.tag_repo,
        projects,
        before,
        prices=services.settings.prices,
    )
    if retried_by is not None:
        # The writer asking for the apply approves it now, unless they wrote the change.
        plan = fresh
        nod = Approval(retried_by, pull.head_sha, "apply")
        counted = _signed(here, plan)
        if record is not None and within(approved := from_dict(record.plan), fresh):
            # finishing what was approved: the approvals the merged plan had still hold
            # (a merged request cannot be approved again on GitLab)
            given = (*counted.approvals, *_signed(here, approved).approvals)
            counted = replace(counted, approvals=tuple(dict.fromkeys(given)))
        counted = replace(counted, approvals=(*counted.approvals, nod))
        decision = judge(services, fresh, here.desired, before, pull, base.policies(), changed)
        problems = _gate_problems(here, plan, decision, counted)
    elif record is not None:
        plan, decision = from_dict(record.plan), Decision.from_dict(record.decision)
        counted = _signed(here, plan)
        problems = [*_gate_problems(here, plan, decision, counted), *guard(plan, fresh).differences]
    else:  # CI mode without a store shared with the review: the plan comment's stamp stands in
        plan = fresh
        stamp = Stamp.find(forge.sticky_comment(pull.repo, pull.number) or "")
        if stamp is None or stamp.head != pull.head_sha:
            problems = [f"no plan was made for the final head `{pull.head_sha[:12]}`"]
        else:
            decision = judge(services, fresh, here.desired, before, pull, base.policies(), changed)
            verdict = guard_digests(stamp.changes, stamp.live, fresh)
            problems = [*_gate_problems(here, plan, decision, pull), *verdict.differences]
    problems += [
        f"`{c.address}`: stackgate cannot {c.action.value} this kind of object yet"
        for c in unsupported(plan.changes)
    ]
    if problems:
        _refuse(here, problems, actor, retried_by is not None)
        return None
    return journal.start(plan, pull.merged_sha, retried_by or actor, forge.name, pull.number)


def _signed(here: Landing, plan: Plan) -> PullRequest:
    with here.services.sessions.begin() as session:
        return signed(session, here.forge.name, here.pull, plan)


def _take(here: Landing, projects: Iterable[str]) -> dict[str, int]:
    """Hold ``projects`` for this PR, unless other PRs hold some (then: who, nothing taken)."""
    pull = here.pull
    with here.services.sessions.begin() as session:
        held = locks.held(session, here.forge.name, pull.repo)
        others = {p: n for p in projects if (n := held.get(p, pull.number)) != pull.number}
        if not others:
            locks.acquire(session, here.forge.name, pull.repo, pull.number, list(projects))
    return others


def _held(holders: dict[str, int], noun: str) -> str:
    return "; ".join(
        f"project `{p}` is held by {holder(n, noun)}: it applies first"
        for p, n in sorted(holders.items())
    )


def _gate_problems(here: Landing, plan: Plan, decision: Decision, pull: PullRequest) -> list[str]:
    verdict = gate(
        plan,
        decision,
        pull,
        members=lambda group: here.forge.group_members(pull.repo, group),
        may_approve=_writer(here),
    )
    return [f"the gate is not met: {need}" for need in verdict.needed]


def _refuse(
    here: Landing, problems: list[str], actor: str, retried: bool, holds: bool = True
) -> None:
    """Say why nothing was applied (``holds``: the PR still holds its projects' locks)."""
    pull = here.pull
    log.warning("apply refused: %s", "; ".join(problems))
    here.forge.comment(
        pull.repo, pull.number, refused(problems, pull.merged_sha, here.noun, retried, holds)
    )
    here.forge.set_status(
        pull.repo,
        pull.merged_sha,
        APPLY,
        StatusState.FAILURE,
        "Not applied: see the pull request",
        _url(here),
    )
    with here.services.sessions.begin() as session:
        audit.audit(
            session,
            here.forge.name,
            pull.repo,
            pull.number,
            actor,
            "apply-refused",
            json.dumps({"commit": pull.merged_sha, "problems": problems}),
        )


def _report(here: Landing, journal: Journal, run: Run, actor: str) -> None:
    """Say how the run ended; release the projects only when the cloud matches."""
    pull, forge = here.pull, here.forge
    done = sum(1 for step in run.steps if step.state == "done")
    log.info("apply run %s: %s of %s step(s) done", run.id, done, len(run.steps))
    forge.comment(pull.repo, pull.number, applied(run, pull.merged_sha, here.noun))
    text = (
        f"Applied {done} change(s)"
        if run.succeeded
        else f"Applied {done} of {len(run.steps)}: see the pull request"
    )
    state = StatusState.SUCCESS if run.succeeded else StatusState.FAILURE
    forge.set_status(pull.repo, pull.merged_sha, APPLY, state, text, _url(here))
    with here.services.sessions.begin() as session:
        released = let_go(session, forge.name, pull.repo, pull.number) if run.succeeded else []
        # What it reserved in its domains is used now, or (failed, still locked) still held.
        replan_contenders(session, forge.name, pull.repo, pull.number, plans.MERGED)
        record = {
            "run": run.id,
            "commit": pull.merged_sha,
            "plan_hash": run.plan_hash,
            "author": pull.author,
            "approvers": sorted(approvers(pull, pull.approvals, _writer(here))),
            "merged_by": pull.merged_by,
            "by": actor,
            "released": released,
            "steps": [
                {
                    "address": s.address,
                    "action": s.action,
                    "state": s.state,
                    "id": s.resource_id,
                    "error": s.error,
                }
                for s in run.steps
            ],
        }
        action = "applied" if run.succeeded else "apply-failed"
        audit.audit(session, forge.name, pull.repo, pull.number, actor, action, json.dumps(record))
        journal.reported(session, run.id)
        apply_ended(
            session, here.services.settings, forge.name, pull.repo, pull.number, run, here.noun
        )


def _writer(here: Landing) -> MayApprove:
    return may_approve(here.forge, here.pull)


def _url(here: Landing) -> str:
    return here.services.settings.public_url


_NO_PLAN = (
    "there is no current plan for the final head `{head}`: it was never planned there, or its "
    "plan was dropped when the pull request was unlocked, so nothing approved can be applied"
)
_NOT_MERGED = (
    "stackgate applies a change when it is merged; `/stackgate apply` is for finishing an "
    "apply after the merge."
)
