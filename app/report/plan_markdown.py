"""The plan as a pull-request comment: short on top, details folded, split to fit the host.

The first part always carries the summary, the problems, the policies' word, the quota table,
the cost and what is still needed to merge, each within a share of the host's limit; per-project
details follow, folded, and whatever does not fit goes to follow-up parts. Output is
deterministic: sorted, no times, no ids.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from itertools import groupby

from app.plan.model import Change, Plan, QuotaLine
from app.report.fold import cut, fitting, folded, shared
from app.report.plan_text import SYMBOL, VERB, details, quota_cells, quota_owner, shown_quotas
from app.spec.diagnostics import Diagnostic

MARKER = "<!-- stackgate:plan -->"
GITHUB_LIMIT = 65_000
GITLAB_LIMIT = 1_000_000
STAMP_ROOM = 256  # the review flow adds its stamp (about 200 characters) to the first part
MAX_PROBLEMS = 50
MAX_DESTRUCTIVE = 20
MAX_NEEDED = 20
_FOLD = 120  # room for the line that says how many quota rows are folded away
_CONTINUED = "\n\n_Continued in the next comment._\n"
_STATUS = {"ok": "", "near": "⚠️ near", "over": "❌ over"}


def cell(text: str) -> str:
    """Text that stays inside its table cell."""
    return text.replace("|", "\\|").replace("\n", " ")


def _diagnostic(d: Diagnostic) -> str:
    hint = f" — {d.hint}" if d.hint else ""
    return f"- `{d.location}` **{d.severity.value} {d.code.value}** {cell(d.message)}{cell(hint)}"


def _problems(plan: Plan, room: int) -> str:
    if not plan.diagnostics:
        return ""
    head = "#### Problems\n\n"
    rest = "- … and {hidden} more ({total} in all): run `stackgate plan` for all of them"
    lines = [_diagnostic(d) for d in plan.diagnostics]
    return head + "\n".join(folded(lines, MAX_PROBLEMS, room - len(head), rest)) + "\n"


def _quota_row(line: QuotaLine) -> str:
    cells = " | ".join(quota_cells(line))
    resource = line.resource.replace("_", " ")
    return f"| {quota_owner(line)} | {resource} | {cells} | {_STATUS[line.status]} |"


def _quotas(plan: Plan, room: int) -> str:
    """Rows that move or are tight; the tight ones first, so only rows within their limits are
    folded away (unless the tight ones alone overflow, which the fold line then says)."""
    lines = shown_quotas(plan.quotas)
    if not lines:
        return "#### Quota impact\n\nNo change to any project's quota use.\n"
    lines.sort(key=lambda line: (line.status == "ok", line.project, line.resource))
    head = (
        "#### Quota impact\n\n"
        "| project | resource | used | change | pending | after | limit | headroom | |\n"
        "|---|---|--:|--:|--:|--:|--:|--:|---|\n"
    )
    rows = fitting([_quota_row(line) for line in lines], len(lines), room - len(head) - _FOLD)
    tight = sum(line.status != "ok" for line in lines[len(rows) :])
    hidden = len(lines) - len(rows)
    if tight:
        rows.append(
            f"\n_… and {hidden} more rows, {tight} of them over or near their limits: "
            "run `stackgate plan` for the whole table._"
        )
    elif hidden:
        rows.append(f"\n_… and {hidden} more rows within their limits._")
    return head + "\n".join(rows) + "\n"


def _costs(plan: Plan, room: int) -> str:
    if not plan.costs:
        return ""
    head = "#### Monthly cost\n\n| project | per month now | after | change |\n|---|--:|--:|--:|\n"
    rows = []
    for cost in plan.costs:
        sign = "+" if cost.delta > 0 else ""
        money = f"{cost.before:.2f} {cost.currency} | {cost.after:.2f} {cost.currency}"
        rows.append(f"| {cost.project} | {money} | {sign}{cost.delta:.2f} {cost.currency} |")
    rest = "\n_… and {hidden} more projects ({total} in all)._"
    return head + "\n".join(folded(rows, len(rows), room - len(head), rest)) + "\n"


def _destructive(plan: Plan, room: int) -> str:
    risky = [
        f"> - **{c.action.value}** `{c.address}`: {c.lost}" for c in plan.changes if c.destructive
    ]
    if not risky:
        return ""
    head = "> [!CAUTION]\n> This plan destroys things:\n"
    rest = "> - … and {hidden} more ({total} in all)"
    return head + "\n".join(folded(risky, MAX_DESTRUCTIVE, room - len(head), rest)) + "\n"


def _needed(needed: Sequence[str], room: int) -> str:
    if not needed:
        return ""
    head = "#### Still needed to merge\n\n"
    rest = "- … and {hidden} more ({total} in all)"
    lines = [f"- {item}" for item in needed]
    return head + "\n".join(folded(lines, MAX_NEEDED, room - len(head), rest)) + "\n"


def _row(change: Change) -> str:
    where = f"`{change.file}:{change.line}`" if change.file and change.line else ""
    verb = f"{SYMBOL[change.action]} {VERB[change.action]}"
    kind = change.kind.replace("_", " ")
    return f"| {verb} | {kind} | `{cell(change.name)}` | {cell(details(change))} | {where} |"


def _counts(changes: list[Change]) -> str:
    tally = Counter(VERB[change.action].split()[0] for change in changes)
    return ", ".join(
        f"{tally[verb]} to {verb}"
        for verb in ("create", "update", "replace", "delete", "adopt")
        if tally[verb]
    )


def _project_blocks(plan: Plan, limit: int) -> list[str]:
    """One folded block per project; a project too large for one part is split into several."""
    blocks = []
    for project, grouped in groupby(
        sorted(plan.changes, key=lambda c: c.project), key=lambda c: c.project
    ):
        changes = list(grouped)
        head = (
            f"<details><summary><b>{project}</b>: {_counts(changes)}</summary>\n\n"
            "| | kind | name | change | where |\n|---|---|---|---|---|\n"
        )
        chunk: list[str] = []
        for row in (_row(change) for change in changes):
            if chunk and len(head) + sum(len(r) + 1 for r in chunk) + len(row) > limit // 2:
                blocks.append(head + "\n".join(chunk) + "\n\n</details>\n")
                chunk = []
            chunk.append(row)
        blocks.append(head + "\n".join(chunk) + "\n\n</details>\n")
    return blocks


def _lead(plan: Plan, title: str) -> str:
    """The title and the summary; an errored plan says first that it cannot merge as it is."""
    icon = "❌" if plan.has_errors else ("📝" if plan.has_changes else "✅")
    lead = f"{MARKER}\n### {icon} {title} for `{plan.repo}`\n\n"
    errors = sum(d.is_error for d in plan.diagnostics)
    if errors == 1:
        lead += "**The plan has 1 error**: the gate stays closed until it is fixed.\n\n"
    elif errors:
        lead += f"**The plan has {errors} errors**: the gate stays closed until they are fixed.\n\n"
    return lead + f"**{plan.summary}** in {len(plan.projects)} project(s).\n\n"


def _top(plan: Plan, needed: Sequence[str], room: int, title: str, extra: Sequence[str]) -> str:
    """The first part: errors first, then the policies' word, then what the plan does — every
    section within its share of ``room``."""
    lead = _lead(plan, title)
    notes = cut("\n".join(filter(None, extra)), room // 3)
    ending = (
        "" if plan.has_changes or plan.has_errors else "\nThe cloud already matches the repo.\n"
    )
    problems, destructive, quotas, costs, still = shared(
        room - len(lead) - len(notes) - len(ending) - 1,
        [
            (3, lambda r: _problems(plan, r)),
            (1, lambda r: _destructive(plan, r)),
            (3, lambda r: _quotas(plan, r)),
            (1, lambda r: _costs(plan, r)),
            (2, lambda r: _needed(needed, r)),
        ],
    )
    body = filter(None, [problems, notes, destructive, quotas, costs, still])
    return lead + "\n".join(body) + ending


def render_comment(
    plan: Plan,
    needed: Sequence[str] = (),
    limit: int = GITHUB_LIMIT,
    title: str = "stackgate plan",
    extra: Sequence[str] = (),
) -> list[str]:
    """The comment, in as many parts as the host's size limit needs (usually one), each part
    with room left for the stamp the review flow adds.

    ``extra`` sections (policy results, a draft note) follow the plan's problems.
    """
    size = limit - STAMP_ROOM
    parts = [_top(plan, needed, size - len(_CONTINUED), title, extra)]
    for block in _project_blocks(plan, size):
        if len(parts[-1]) + len(block) + len(_CONTINUED) > size:
            parts[-1] += _CONTINUED
            number = len(parts) + 1
            parts.append(
                f"<!-- stackgate:plan part {number} -->\n"
                f"### {title} for `{plan.repo}` (part {number})\n\n"
            )
        parts[-1] += "\n" + block
    return parts
