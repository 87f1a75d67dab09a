"""The plan as a pull-request comment: short on top, details folded, split to fit the host.

The first part always carries the summary, the problems, the quota table, the cost and what
is still needed to merge; per-project details follow, folded, and whatever does not fit goes
to follow-up parts. Output is deterministic: sorted, no times, no ids.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from itertools import groupby

from app.plan.model import Change, Plan, QuotaLine
from app.report.plan_text import SYMBOL, VERB, details, quota_cells
from app.spec.diagnostics import Diagnostic

MARKER = "<!-- stackgate:plan -->"
GITHUB_LIMIT = 65_000
GITLAB_LIMIT = 1_000_000
MAX_PROBLEMS = 50
MAX_DESTRUCTIVE = 20
_CONTINUED = "\n\n_Continued in the next comment._\n"
_STATUS = {"ok": "", "near": "⚠️ near", "over": "❌ over"}


def cell(text: str) -> str:
    """Text that stays inside its table cell."""
    return text.replace("|", "\\|").replace("\n", " ")


def _diagnostic(d: Diagnostic) -> str:
    hint = f" — {d.hint}" if d.hint else ""
    return f"- `{d.location}` **{d.severity.value} {d.code.value}** {cell(d.message)}{cell(hint)}"


def _problems(plan: Plan) -> str:
    if not plan.diagnostics:
        return ""
    shown = [_diagnostic(d) for d in plan.diagnostics[:MAX_PROBLEMS]]
    hidden = len(plan.diagnostics) - MAX_PROBLEMS
    if hidden > 0:
        shown.append(f"- … and {hidden} more: run `stackgate plan` for all of them")
    return "#### Problems\n\n" + "\n".join(shown) + "\n"


def _quota_row(line: QuotaLine) -> str:
    cells = " | ".join(quota_cells(line))
    resource = line.resource.replace("_", " ")
    return f"| {line.project} | {resource} | {cells} | {_STATUS[line.status]} |"


def _quotas(plan: Plan, budget: int) -> str:
    """Rows that move or are tight; the tight ones first when they do not all fit."""
    lines = [line for line in plan.quotas if line.change or line.pending or line.status != "ok"]
    if not lines:
        return "#### Quota impact\n\nNo change to any project's quota use.\n"
    lines.sort(key=lambda line: (line.status == "ok", line.project, line.resource))
    rows = [
        "| project | resource | used | change | pending | after | limit | headroom | |",
        "|---|---|--:|--:|--:|--:|--:|--:|---|",
    ]
    for shown, line in enumerate(lines):
        row = _quota_row(line)
        if sum(len(r) + 1 for r in rows) + len(row) > budget:
            rows.append(f"\n_… and {len(lines) - shown} more rows within their limits._")
            break
        rows.append(row)
    return "#### Quota impact\n\n" + "\n".join(rows) + "\n"


def _costs(plan: Plan) -> str:
    if not plan.costs:
        return ""
    rows = ["| project | per month now | after | change |", "|---|--:|--:|--:|"]
    for cost in plan.costs:
        sign = "+" if cost.delta > 0 else ""
        money = f"{cost.before:.2f} {cost.currency} | {cost.after:.2f} {cost.currency}"
        rows.append(f"| {cost.project} | {money} | {sign}{cost.delta:.2f} {cost.currency} |")
    return "#### Monthly cost\n\n" + "\n".join(rows) + "\n"


def _destructive(plan: Plan) -> str:
    risky = [c for c in plan.changes if c.destructive]
    if not risky:
        return ""
    items = [f"> - **{c.action.value}** `{c.address}`: {c.lost}" for c in risky[:MAX_DESTRUCTIVE]]
    if len(risky) > MAX_DESTRUCTIVE:
        items.append(f"> - … and {len(risky) - MAX_DESTRUCTIVE} more")
    return "> [!CAUTION]\n> This plan destroys things:\n" + "\n".join(items) + "\n"


def _needed(needed: Sequence[str]) -> str:
    if not needed:
        return ""
    return "#### Still needed to merge\n\n" + "\n".join(f"- {item}" for item in needed) + "\n"


def _row(change: Change) -> str:
    where = f"`{change.file}:{change.line}`" if change.file and change.line else ""
    verb = f"{SYMBOL[change.action]} {VERB[change.action]}"
    kind = change.kind.replace("_", " ")
    return f"| {verb} | {kind} | `{cell(change.name)}` | {cell(details(change))} | {where} |"


def _counts(changes: list[Change]) -> str:
    tally = Counter(VERB[change.action].split()[0] for change in changes)
    return ", ".join(
        f"{tally[verb]} to {verb}"
        for verb in ("create", "update", "replace", "delete")
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


def render_comment(
    plan: Plan,
    needed: Sequence[str] = (),
    limit: int = GITHUB_LIMIT,
    title: str = "stackgate plan",
    extra: Sequence[str] = (),
) -> list[str]:
    """The comment, in as many parts as the host's size limit needs (usually one).

    ``extra`` sections (policy results, a draft note) go after the costs, before what is needed.
    """
    icon = "❌" if plan.has_errors else ("📝" if plan.has_changes else "✅")
    head = f"{MARKER}\n### {icon} {title} for `{plan.repo}`\n\n"
    head += f"**{plan.summary}** in {len(plan.projects)} project(s).\n\n"
    sections = [_destructive(plan), _problems(plan), _costs(plan), *extra, _needed(needed)]
    budget = limit // 2 - sum(len(s) for s in sections)  # the quota table gets what is left of half
    top = head + "\n".join(
        filter(None, [sections[0], sections[1], _quotas(plan, budget), *sections[2:]])
    )
    if not plan.has_changes:
        top += "\nThe cloud already matches the repo.\n"
    parts = [top]
    for block in _project_blocks(plan, limit):
        if len(parts[-1]) + len(block) + len(_CONTINUED) > limit:
            parts[-1] += _CONTINUED
            number = len(parts) + 1
            parts.append(
                f"<!-- stackgate:plan part {number} -->\n"
                f"### {title} for `{plan.repo}` (part {number})\n\n"
            )
        parts[-1] += "\n" + block
    return parts
