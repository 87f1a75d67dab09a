"""Three statuses from one plan, one decision and the approvals: pure, so tests use literals.

An approval counts only for the head commit it was given on (and, chosen by the caller, the
plan it was given to), never the author's own nor one from anyone who wrote a commit of it
(the caller's ``may_approve`` says so), only from someone who may push to the repo,
and a ``@group`` requirement is met by approvals from that group's members. An error in the
plan or the policies turns all three statuses red: nothing about it reads as success.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from app.events.model import Approval, PullRequest
from app.forges.base import StatusState
from app.plan.model import Plan
from app.policy.model import Decision, Requirement
from app.report.review_markdown import holder

PLAN, POLICY, APPROVAL = "stackgate/plan", "stackgate/policy", "stackgate/approval"
Members = Callable[[str], set[str]]  # "@group" → its members' logins
MayApprove = Callable[[str], bool]  # whether a login has write access


@dataclass(frozen=True)
class Check:
    context: str
    state: StatusState
    description: str


@dataclass(frozen=True)
class Gate:
    checks: tuple[Check, ...]
    needed: tuple[str, ...]  # what is still missing before merge, for the comment

    @property
    def open(self) -> bool:
        return all(check.state is StatusState.SUCCESS for check in self.checks)


def approvers(
    pull: PullRequest, approvals: tuple[Approval, ...], may_approve: MayApprove
) -> set[str]:
    """Who approved this head commit (stale approvals, the author's own and those of people
    without write access do not count)."""
    fresh = {a.user for a in approvals if a.commit == pull.head_sha and a.user != pull.author}
    return {user for user in fresh if may_approve(user)}


def missing_approvals(
    requirements: tuple[Requirement, ...], approved: set[str], members: Members
) -> list[str]:
    # one line per who and how many: one approval from @platform meets every requirement
    # asking that of @platform, so it is asked for once, with all its reasons
    reasons: dict[tuple[int, str], list[str]] = {}
    for requirement in requirements:
        eligible = set()
        for who in requirement.from_:
            eligible |= members(who) if who.startswith("@") else {who}
        got = approved & eligible if requirement.from_ else approved
        if len(got) < requirement.count:
            short = requirement.count - len(got)
            people = ", ".join(requirement.from_) or "anyone with write access"
            said = reasons.setdefault((short, people), [])
            if requirement.reason not in said:
                said.append(requirement.reason)
    return [
        f"{short} {'approval' if short == 1 else 'approvals'} from {people}: {'; '.join(said)}"
        for (short, people), said in reasons.items()
    ]


def gate(
    plan: Plan, decision: Decision, pull: PullRequest, members: Members, may_approve: MayApprove
) -> Gate:
    plan_check = (
        Check(PLAN, StatusState.FAILURE, "The plan has errors; see the comment")
        if plan.has_errors
        else Check(PLAN, StatusState.SUCCESS, plan.summary)
    )
    if plan.has_errors:  # policies judged a plan with holes in it: no verdict to trust
        policy_check = Check(POLICY, StatusState.FAILURE, _UNJUDGED)
    elif decision.errors:
        policy_check = Check(POLICY, StatusState.FAILURE, "A policy could not be evaluated")
    elif decision.deny:
        count = len(decision.deny)
        policy_check = Check(POLICY, StatusState.FAILURE, f"Denied by {count} policy rule(s)")
    else:
        warned = f" ({len(decision.warn)} warning(s))" if decision.warn else ""
        policy_check = Check(POLICY, StatusState.SUCCESS, "All policies pass" + warned)
    approved = approvers(pull, pull.approvals, may_approve)
    missing = missing_approvals(decision.approvals, approved, members)
    if plan.has_errors:
        approval_check = Check(APPROVAL, StatusState.FAILURE, _UNJUDGED)
    elif decision.errors:
        # the approvals needed come from the policies: with an error, nobody knows them
        approval_check = Check(APPROVAL, StatusState.FAILURE, _UNKNOWN)
    elif pull.draft:
        approval_check = Check(APPROVAL, StatusState.PENDING, "Draft: planned, not ready to merge")
    elif missing:
        approval_check = Check(APPROVAL, StatusState.FAILURE, f"Waiting for {missing[0]}")
    else:
        approval_check = Check(APPROVAL, StatusState.SUCCESS, "Required approvals present")
    needed = [*missing]
    needed += [f"policy **{f.rule or 'deny'}**: {f.msg}" for f in decision.deny]
    needed += [f"policy error: {e}" for e in decision.errors]
    if plan.has_errors:
        needed.insert(0, "fix the problems listed above")
    if pull.draft:
        needed.append("mark the pull request ready for review")
    return Gate((plan_check, policy_check, approval_check), tuple(needed))


_UNJUDGED = "Not judged: the plan has errors; see the comment"
_UNKNOWN = "Unknown: a policy could not be evaluated, so the approvals it needs are unknown"


def blocked(holders: dict[str, int], noun: str) -> Gate:
    """The gate of a PR that touches projects other PRs hold."""
    first = min(holders.items())
    text = f"Project {first[0]} is locked by {holder(first[1], noun)}"
    return Gate(
        (
            Check(PLAN, StatusState.FAILURE, text),
            Check(POLICY, StatusState.PENDING, "Waiting for the lock"),
            Check(APPROVAL, StatusState.PENDING, "Waiting for the lock"),
        ),
        tuple(f"project `{p}` is locked by {holder(n, noun)}" for p, n in sorted(holders.items())),
    )


def unmergeable() -> Gate:
    """The gate of a PR its host cannot merge as it stands: nothing was planned or judged."""
    text = "Cannot be merged as it stands: resolve the conflicts"
    return Gate(
        (
            Check(PLAN, StatusState.FAILURE, text),
            Check(POLICY, StatusState.PENDING, "Waiting for a mergeable change"),
            Check(APPROVAL, StatusState.PENDING, "Waiting for a mergeable change"),
        ),
        ("resolve the conflicts with the target branch",),
    )
