"""What a merged pull request is told: what was applied, what failed in CloudStack's words, what
was skipped and why, and how to finish; or why nothing was applied."""

from __future__ import annotations

from app.apply.journal import DONE, FAILED, SKIPPED, Run, StepRecord
from app.report.plan_markdown import cell

MAX_ROWS = 250  # keeps the comment under the forge's size limit; failures are always listed
_MARK = {DONE: "✅", FAILED: "❌", SKIPPED: "⏭️"}
_VERB = {"create": "created", "update": "updated", "delete": "deleted", "adopt": "adopted"}
RETRY = (
    "someone with write access comments `/stackgate apply`: stackgate plans again at the merge "
    "commit against the cloud as it is, runs the policies and approvals again, and applies. "
    "What is already done is never done twice."
)
FREE = (
    "This {noun} holds no project locks now: `/stackgate apply` takes them first, and while "
    "another {noun} holds one of its projects it is refused and says which."
)
GIVE_UP = (
    "The projects stay locked to this {noun} until then; to give up instead, comment "
    "`/stackgate unlock` and fix forward in a new {noun}."
)


def applied(run: Run, commit: str, noun: str) -> str:
    short = commit[:12]
    done, rest = run.tally()
    if run.succeeded:
        head = f"### ✅ Applied to CloudStack at `{short}`"
        verdict = f"All {len(run.steps)} change(s) applied. The projects are unlocked."
        if not run.steps:
            verdict = "Nothing to apply: the cloud already matched the repo. Projects unlocked."
    else:
        head = f"### ❌ The apply at `{short}` did not finish"
        verdict = (
            f"**{done} of {len(run.steps)} change(s) applied; {rest}.** Fix the cause; then "
            f"{RETRY} " + GIVE_UP.format(noun=noun)
        )
    rows = _rows(run.steps)
    table = "| | change | result |\n|---|---|---|\n" + "\n".join(rows) + "\n" if rows else ""
    return f"{head}\n\nPlan `{run.plan_hash[:19]}`.\n\n{table}\n{verdict}\n"


def refused(
    reasons: tuple[str, ...] | list[str], commit: str, noun: str, retried: bool, holds: bool = True
) -> str:
    """Why nothing was applied; ``holds``: the pull request still holds its projects."""
    why = "\n".join(f"- {reason}" for reason in reasons)
    title = "`/stackgate apply` did not apply" if retried else "stackgate did not apply this merge"
    after = GIVE_UP.format(noun=noun) if holds else FREE.format(noun=noun)
    return (
        f"### 🛑 {title} (`{commit[:12]}`)\n\n{why}\n\nNothing was changed in CloudStack. "
        f"To apply what the merge commit says now, {RETRY} " + after + "\n"
    )


def _rows(steps: tuple[StepRecord, ...]) -> list[str]:
    shown = [s for s in steps if s.state != DONE] + [s for s in steps if s.state == DONE]
    rows = [_row(step) for step in shown[:MAX_ROWS]]
    if len(shown) > MAX_ROWS:
        rows.append(f"| | … and {len(shown) - MAX_ROWS} more applied | |")
    return rows


def _row(step: StepRecord) -> str:
    mark = _MARK.get(step.state, "⏳")
    change = f"{step.action} `{step.address}`"
    if step.state == DONE:
        result = f"{_VERB.get(step.action, 'done')}" + (
            f", id `{step.resource_id}`" if step.resource_id else ""
        )
    elif step.state == FAILED:
        result = cell(step.error or "failed")
    elif step.state == SKIPPED:
        result = f"skipped: {cell(step.error or 'what it needs did not succeed')}"
    elif step.error:  # its job outlived our wait, or its answer was lost: it may happen yet
        result = f"{cell(step.error)}; `/stackgate apply` finishes it without sending it twice"
    else:
        result = "not finished"
    return f"| {mark} | {change} | {result} |"
