"""`stackgate ci`: a CI job does one step of a pull request's life, without a server, then
says whether the pipeline should pass.

A review, or a review's approval judged again, passes when the plan has no errors and no
policy denies it (approvals are for the `stackgate/approval` status and the merge button,
not for failing a pipeline); a merge train's pipeline passes when the train's merged result
holds what the merge request had approved; a land passes when the apply finished; a command
when it ran.
Without a shared ``STACKGATE_DATABASE_URL`` each job has its own store: project locks then
hold only within one job, and an apply's journal dies with it.
"""

from __future__ import annotations

from sqlalchemy import select

from app.events.ci import CiRun, Step
from app.events.model import CommandEvent
from app.flows.approval import reconsider
from app.flows.close import close
from app.flows.command import command
from app.flows.land import land
from app.flows.review import review
from app.flows.services import Services
from app.flows.train import check_train
from app.plan.serialize import from_dict
from app.policy.model import Decision
from app.report.stamp import Stamp
from app.store import approvals, plans
from app.store.tables import ApplyRun


def run_step(services: Services, run: CiRun, number: int) -> tuple[bool, str]:
    """Do the step; whether the pipeline passes, and one line saying why."""
    if run.step is Step.REVIEW:
        review(services, run.forge, run.repo, number, run.sender)
        return _reviewed(services, run, number)
    if run.step is Step.APPROVE:
        _bind_to_stamp(services, run, number)
        reconsider(services, run.forge, run.repo, number, run.sender)
        return _reviewed(services, run, number)
    if run.step is Step.LAND:
        land(services, run.forge, run.repo, number, run.sender, stamped=True)
        return _landed(services, run, number)
    if run.step is Step.TRAIN:
        why = check_train(services, run.forge, run.repo, number, run.commit)
        if why:
            return False, f"!{number}: the merge train's result does not hold: {why}"
        return True, f"!{number}: the merge train's result holds what was approved"
    if run.step is Step.COMMAND:
        verb, *args = run.command
        said = CommandEvent(run.forge, run.repo, number, run.sender, run.comment_id, verb, (*args,))
        command(services, said)
        return True, f"#{number}: /stackgate {verb} done (see the pull request)"
    close(services, run.forge, run.repo, number, run.sender, merged=False)
    return True, f"#{number} closed: its projects are free"


def _bind_to_stamp(services: Services, run: CiRun, number: int) -> None:
    """A job with a store of its own never saw which plan the approvals were given to: the
    plan comment's stamp says what the pull request showed, when it is for this head."""
    forge = services.forge(run.forge)
    with services.sessions.begin() as session:
        if plans.current_plan(session, run.forge, run.repo, number) is not None:
            return  # a shared store: the review bound them as they arrived
    pull = forge.pull_request(run.repo, number)
    stamp = Stamp.find(forge.sticky_comment(run.repo, number) or "")
    if stamp is not None and stamp.head == pull.head_sha:
        with services.sessions.begin() as session:
            approvals.remember(session, run.forge, run.repo, number, pull.approvals, stamp.changes)


def _reviewed(services: Services, run: CiRun, number: int) -> tuple[bool, str]:
    with services.sessions() as session:
        record = plans.current_plan(session, run.forge, run.repo, number)
    if record is None:
        return False, f"#{number} was not planned: another pull request holds its projects"
    plan = from_dict(record.plan)
    if plan.has_errors:
        return False, f"#{number}: the plan has errors (see the comment)"
    if not Decision.from_dict(record.decision).passed:
        return False, f"#{number}: a policy denies the plan (see the comment)"
    return True, f"#{number}: {plan.summary}"


def _landed(services: Services, run: CiRun, number: int) -> tuple[bool, str]:
    with services.sessions() as session:
        applied = session.scalars(
            select(ApplyRun)
            .where(ApplyRun.forge == run.forge, ApplyRun.number == number)
            .order_by(ApplyRun.id.desc())
        ).first()
    if applied is None:
        return False, f"#{number} was not applied (see the comment)"
    if applied.state != "done":
        return False, f"#{number}: the apply {applied.state} (see the comment)"
    return True, f"#{number} applied"
