"""Reconcile: hold the cloud against each repo's default branch, on a schedule.

Every ``reconcile_interval`` seconds each repo gets one reconcile job: its default branch is
planned against live state, the drift recorded, and (when ``reconcile_issues`` is on) kept in
one issue on the forge, closed when the drift is gone. Projects that say ``reconcile: heal``
are put back as the branch says, unless a pull request holds them (the PR's apply will), and
only when the policies that judge a merge let the heal through: a heal is a change to the cloud
like any other, and is never the way round a denial.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.apply.executor import Executor, unsupported
from app.apply.journal import Journal, Run
from app.events.codec import encode
from app.events.model import PullRequest, ReconcileEvent
from app.flows.gate import missing_approvals
from app.flows.letgo import replan
from app.flows.planning import plan_projects, repo_name
from app.flows.review import judge
from app.flows.services import Services
from app.forges.base import Branch
from app.forges.source import ForgeSource
from app.jobs.queue import QUEUED, RUNNING, enqueue, now
from app.notify import drift_found, drift_healed
from app.plan.drift import Drift, drift_of
from app.plan.model import Action, Plan
from app.plan.serialize import plan_hash
from app.report.drift import drift_issue, drift_items, heal_refused
from app.spec.loader import load_desired_state
from app.spec.state import DesiredState
from app.store import audit, locks
from app.store.drift import record_drift
from app.store.tables import Job, PlanRecord

ISSUE_TITLE = "stackgate: the cloud has drifted from the default branch"
ADOPT_IN_A_PR = "adoption needs a pull request the project's owners approve"
HEALER = "stackgate"
log = logging.getLogger(
    "stackgate.reconcile"
)  # the actor of heal runs; their journal number is 0 (no pull request)


def schedule(services: Services) -> int:
    """Queue a reconcile for every repo whose last one is older than the interval."""
    interval = services.settings.reconcile_interval
    if not interval:
        return 0
    since = now() - timedelta(seconds=interval)
    queued = 0
    with services.sessions.begin() as session:
        for forge, repo in _repos(services, session):
            recent = session.scalars(
                select(Job.id).where(
                    Job.kind == "reconcile",
                    Job.forge == forge,
                    Job.repo == repo,
                    (Job.state.in_((QUEUED, RUNNING))) | (Job.created_at > since),
                )
            ).first()
            if recent is None:
                enqueue(session, "reconcile", forge, repo, 0, encode(ReconcileEvent(forge, repo)))
                queued += 1
    return queued


def _repos(services: Services, session: Session) -> list[tuple[str, str]]:
    named = [entry.split(":", 1) for entry in services.settings.reconcile_repos]
    if named:
        return [(forge, repo) for forge, repo in named if forge in services.forges]
    seen = session.execute(select(PlanRecord.forge, PlanRecord.repo).distinct())
    return sorted((forge, repo) for forge, repo in seen if forge in services.forges)


def reconcile(services: Services, forge_name: str, repo: str) -> None:
    forge = services.forge(forge_name)
    tip = forge.default_branch(repo)
    desired = load_desired_state(ForgeSource(forge, repo, tip.sha))
    tag_repo = repo_name(desired, services.repo_id(forge_name, repo))
    plan = plan_projects(desired, services.clouds, tag_repo, None, prices=services.settings.prices)
    found = drift_of(plan)
    problems = sum(1 for d in plan.diagnostics if d.is_error)
    with services.sessions.begin() as session:
        record_drift(session, tag_repo, tip.sha, plan_hash(plan), drift_items(found), problems)
        drift_found(session, services.settings, forge_name, repo, tag_repo)
    log.info("reconciled %s at %s: %s drift item(s)", repo, tip.sha[:12], len(found))
    healed, note = _heal(_Tip(services, forge_name, repo, tip, desired, tag_repo), found)
    if not services.settings.reconcile_issues:
        return
    fixed = {s.address for s in healed.steps if s.state == "done"} if healed else set()
    left = [item for item in found if item.change.address not in fixed]
    body = drift_issue(tag_repo, tip, left, problems, healed, note) if left or problems else None
    forge.report_issue(repo, ISSUE_TITLE, body)


@dataclass(frozen=True)
class _Tip:
    """A repo's default branch, as reconcile read it."""

    services: Services
    forge: str
    repo: str
    branch: Branch
    desired: DesiredState
    tag_repo: str  # how the cloud's tags name the repo


def _heal(here: _Tip, found: tuple[Drift, ...]) -> tuple[Run | None, str]:
    """Put the drifted ``reconcile: heal`` projects back, holding their locks meanwhile;
    the run, or why there was none (for the issue)."""
    services, forge_name, repo, tip = here.services, here.forge, here.repo, here.branch
    desired = here.desired
    journal = Journal(services.sessions)
    run = journal.unfinished(here.tag_repo, forge_name, 0)  # a heal a crash interrupted
    wanted = {
        item.change.project
        for item in found
        if item.change.project in desired.projects
        and desired.projects[item.change.project].reconcile == "heal"
    }
    if run is None and not wanted:
        return None, ""
    with services.sessions.begin() as session:
        busy = locks.held(session, forge_name, repo)
        free = sorted(project for project in wanted if project not in busy)
        locks.acquire(session, forge_name, repo, 0, free)
    try:
        if run is None:
            held = ", ".join(f"{p} (#{busy[p]})" for p in sorted(wanted - set(free)))
            if not free:
                return None, f"not healed: held by open pull requests: {held}"
            plan, note = _gated(here, free)
            if plan is None:
                return None, note
            run = journal.start(plan, tip.sha, HEALER, forge_name, 0)
        executor = Executor(services.clouds, journal, services.settings.apply_concurrency)
        run = executor.apply(run, desired, tip.sha)
    finally:
        with services.sessions.begin() as session:
            _, waiting = locks.release(session, forge_name, repo, 0)
            replan(session, forge_name, repo, waiting)
    with services.sessions.begin() as session:
        steps = [{"address": s.address, "state": s.state, "error": s.error} for s in run.steps]
        detail = json.dumps({"run": run.id, "commit": tip.sha, "steps": steps})
        audit.audit(session, forge_name, repo, 0, HEALER, "healed", detail)
        drift_healed(session, services.settings, forge_name, repo, run)
    return run, ""


def _gated(here: _Tip, projects: list[str]) -> tuple[Plan | None, str]:
    """The heal's plan, if the gate a merge passes lets it through; else why not. Policies
    (the platform's, and the repo's from the default branch) judge it as they judge a pull
    request; the projects' owners approved it in advance by writing ``reconcile: heal``."""
    services, desired = here.services, here.desired
    plan = plan_projects(
        desired, services.clouds, here.tag_repo, projects, prices=services.settings.prices
    )
    cannot = [f"{c.action.value} {c.address}" for c in unsupported(plan.changes)]
    if plan.has_errors or cannot:
        why = "the plan has errors" if plan.has_errors else ", ".join(cannot)
        return None, f"not healed: {why}"
    if not plan.has_changes:
        return None, ""
    adopting = [c.address for c in plan.changes if c.action is Action.ADOPT]
    if adopting:
        # Writing `reconcile: heal` approves putting the repo's objects back, not taking
        # objects someone made by hand: that needs the owners' approval on a pull request.
        return None, f"not healed: it would adopt {', '.join(adopting)}; {ADOPT_IN_A_PR}"
    heal = PullRequest(here.forge, here.repo, 0, HEALER, here.branch.name, here.branch.sha)
    policies = ForgeSource(services.forge(here.forge), here.repo, here.branch.sha).policies()
    decision = judge(services, plan, desired, desired, heal, policies, ())
    owners = {owner for project in projects for owner in desired.projects[project].owners}
    missing = missing_approvals(decision.approvals, owners, lambda who: {who})
    if decision.passed and not missing:
        return plan, ""
    log.warning("heal of %s refused by the policies", here.repo)
    detail = {"commit": here.branch.sha, **decision.as_dict(), "missing": missing}
    with services.sessions.begin() as session:
        audit.audit(session, here.forge, here.repo, 0, HEALER, "heal-refused", json.dumps(detail))
    return None, heal_refused(decision, missing)
