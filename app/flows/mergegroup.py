"""GitHub's merge queue: a group of pull requests is judged at the commit the queue would land,
against what each of them had approved, and gated with the same three statuses on that commit.

The group's pull requests are those whose approved plans stackgate holds for a head the
group's merge commits took in. Each must still pass its own gate (policies, approvals), and
the plan of the group as a whole must be the union of theirs: nothing more, nothing less, no
error (a quota the group goes over together is one). Any reason against it fails the group's
statuses and is told on each of its pull requests; the locks stay with them until it lands.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, replace

from app.apply.guard import guard
from app.events.model import MergeGroupEvent, PullRequest
from app.flows.gate import APPROVAL, PLAN, POLICY, gate
from app.flows.groups import planned_heads, remember
from app.flows.planning import changed_projects, plan_projects, repo_name
from app.flows.services import Services
from app.flows.signoff import may_approve, signed
from app.forges.base import Forge, MergeQueue, StatusState
from app.forges.source import ForgeSource
from app.plan.model import Plan
from app.plan.serialize import from_dict
from app.policy.model import Decision
from app.spec.loader import load_desired_state
from app.store import plans

log = logging.getLogger("stackgate.queue")
_LAST_PULL = re.compile(r"/pr-(\d+)-[0-9a-f]+$")  # gh-readonly-queue/<base>/pr-<n>-<base sha>


@dataclass(frozen=True)
class Member:
    """A pull request of the group and the plan it had approved."""

    pull: PullRequest
    plan: Plan
    decision: Decision


def merge_group(services: Services, event: MergeGroupEvent) -> None:
    head, repo = event.head_sha, event.repo
    if event.destroyed:
        log.info(
            "merge group %s of %s destroyed (%s): nothing applied, its statuses left as they are",
            head[:12],
            repo,
            event.destroyed,
        )
        return
    forge = services.forge(event.forge)
    url = services.settings.public_url
    forge.set_status(repo, head, PLAN, StatusState.PENDING, "Planning the merge group…", url)
    problems: dict[str, list[str]] = {PLAN: [], POLICY: [], APPROVAL: []}
    members: list[Member] = []
    summary = ""
    managed = forge.default_branch(repo).name
    if event.base_ref != managed:
        problems[PLAN].append(
            f"stackgate gates merges into `{managed}`, not `{event.base_ref}`: nothing it "
            "planned is in this group"
        )
    else:
        members, problems[PLAN] = _members(services, forge, event)
        for member in members:
            for context, said in _gate(services, forge, member).items():
                problems[context] += said
        if members:
            combined, differences = _combined(services, forge, event, members)
            problems[PLAN] += differences
            summary = combined.summary
    _report(services, forge, event, members, problems, summary)


def _members(
    services: Services, forge: Forge, event: MergeGroupEvent
) -> tuple[list[Member], list[str]]:
    """The group's pull requests in the queue's order, and what stackgate cannot vouch for."""
    if not isinstance(forge, MergeQueue):
        return [], [f"{forge.name} has no merge queue stackgate can read"]
    heads = forge.merged_heads(event.repo, event.base_sha, event.head_sha)
    with services.sessions() as session:
        known = planned_heads(session, forge.name, event.repo, heads)
    unknown = [
        f"the group merges `{sha[:12]}`, the head of no pull request stackgate planned"
        for sha in heads
        if sha not in known
    ]
    last = _LAST_PULL.search(event.head_ref)
    if last and int(last.group(1)) not in known.values():
        unknown.insert(0, f"#{last.group(1)} is in the group, but stackgate never planned its head")
    if not heads and not unknown:
        unknown.append("stackgate found no pull request it planned in the group")
    members = []
    for sha in heads:
        if sha not in known:
            continue
        with services.sessions() as session:
            record = plans.plan_for_head(session, forge.name, event.repo, known[sha], sha)
            assert record is not None  # planned_heads found it a moment ago; nothing deletes
            plan, decision = from_dict(record.plan), Decision.from_dict(record.decision)
        members.append(Member(forge.pull_request(event.repo, known[sha]), plan, decision))
    return members, unknown


def _gate(services: Services, forge: Forge, member: Member) -> dict[str, list[str]]:
    """The member's own gate for the plan it had approved: what is not green, per status."""
    pull = member.pull
    with services.sessions.begin() as session:
        counted = signed(session, forge.name, pull, member.plan)
    verdict = gate(
        member.plan,
        member.decision,
        counted,
        members=lambda group: forge.group_members(pull.repo, group),
        may_approve=may_approve(forge, pull),
    )
    said: dict[str, list[str]] = {}
    for check in verdict.checks:
        if check.state is not StatusState.SUCCESS:
            said.setdefault(check.context, []).append(f"#{pull.number}: {check.description}")
    return said


def _combined(
    services: Services, forge: Forge, event: MergeGroupEvent, members: list[Member]
) -> tuple[Plan, list[str]]:
    """The group's plan at its head, and how it differs from the union of the approved ones."""
    desired = load_desired_state(ForgeSource(forge, event.repo, event.head_sha))
    before = load_desired_state(ForgeSource(forge, event.repo, event.base_sha))
    projects = {name for member in members for name in member.plan.projects}
    combined = plan_projects(
        desired,
        services.clouds,
        repo_name(desired, services.repo_id(forge.name, event.repo)),
        projects | changed_projects(desired, before),
        before,
        prices=services.settings.prices,
    )
    # The live objects are judged again when each applies; here: the changes, and errors.
    union = replace(combined, changes=tuple(c for m in members for c in m.plan.changes))
    return combined, list(guard(union, combined).differences)


def _report(
    services: Services,
    forge: Forge,
    event: MergeGroupEvent,
    members: list[Member],
    problems: dict[str, list[str]],
    summary: str,
) -> None:
    numbers = [member.pull.number for member in members]
    which = ", ".join(f"#{n}" for n in numbers)
    passed = {
        PLAN: f"Group of {which}: {summary}",
        POLICY: f"All policies pass for {which}",
        APPROVAL: f"Required approvals present for {which}",
    }
    if not members:  # nothing could be judged: every status says why
        problems = dict.fromkeys(problems, problems[PLAN])
    for context, said in problems.items():
        state = StatusState.FAILURE if said else StatusState.SUCCESS
        text = (said[0] if said else passed[context])[: forge.status_limit]
        forge.set_status(
            event.repo, event.head_sha, context, state, text, services.settings.public_url
        )
    reasons = list(dict.fromkeys(reason for said in problems.values() for reason in said))
    if not reasons:
        with services.sessions.begin() as session:
            remember(session, forge.name, event.repo, event.head_sha, numbers)
        log.info("merge group %s of %s holds: %s", event.head_sha[:12], event.repo, which)
        return
    log.warning("merge group %s of %s refused: %s", event.head_sha[:12], event.repo, reasons)
    body = refusal("merge queue's group", event.head_sha, reasons, services.pr_noun(forge.name))
    for number in numbers:
        forge.comment(event.repo, number, body)


def refusal(what: str, head: str, reasons: list[str], noun: str) -> str:
    """Why a merge queue's group or a merge train's result does not hold, for each of its
    pull (merge) requests."""
    lines = "\n".join(f"- {reason}" for reason in reasons)
    return (
        f"### 🛑 stackgate: the {what} at `{head[:12]}` does not hold\n\n"
        f"The {what} holding this {noun} cannot merge as it is:\n\n{lines}\n\n"
        f"Nothing was applied and the projects stay locked by their {noun}s. Fix what is "
        f"listed (or take the {noun} named out of the queue), then queue it again."
    )
