"""The plan on a terminal: what changes per project, the quota impact, the problems."""

from __future__ import annotations

from itertools import groupby

from rich import box
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from app.plan.model import Action, Plan
from app.report.diagnostics import diagnostic_text
from app.report.plan_text import SYMBOL, VERB, details, quota_cells, quota_owner, shown_quotas

STYLE = {
    Action.CREATE: "green",
    Action.UPDATE: "yellow",
    Action.UPDATE_STOP: "yellow",
    Action.REPLACE: "magenta",
    Action.DELETE: "red",
    Action.ADOPT: "cyan",
}
QUOTA_STYLE = {"ok": "", "near": "yellow", "over": "bold red"}


def _changes(plan: Plan) -> list[RenderableType]:
    blocks: list[RenderableType] = []
    for project, changes in groupby(
        sorted(plan.changes, key=lambda c: c.project), key=lambda c: c.project
    ):
        table = Table(
            title=project, title_justify="left", box=box.SIMPLE, show_header=False, pad_edge=False
        )
        table.add_column(no_wrap=True)
        table.add_column(no_wrap=True)
        table.add_column(no_wrap=True)
        table.add_column()
        for change in changes:
            style = STYLE[change.action]
            verb = Text(f"{SYMBOL[change.action]} {VERB[change.action]}", style=style)
            table.add_row(
                verb,
                change.kind.replace("_", " "),
                Text(change.name, style="bold"),
                details(change),
            )
        blocks.append(table)
    return blocks


def _quotas(plan: Plan) -> RenderableType | None:
    lines = shown_quotas(plan.quotas)
    if not lines:
        return None
    table = Table(title="quota impact", title_justify="left", box=box.SIMPLE)
    for header in (
        "project",
        "resource",
        "used",
        "change",
        "pending",
        "after",
        "limit",
        "headroom",
    ):
        table.add_column(
            header, justify="left" if header in ("project", "resource") else "right", no_wrap=True
        )
    for line in lines:
        table.add_row(
            quota_owner(line),
            line.resource.replace("_", " "),
            *quota_cells(line),
            style=QUOTA_STYLE[line.status],
        )
    return table


def render_terminal(plan: Plan) -> RenderableType:
    style = "bold red" if plan.has_errors else ("bold yellow" if plan.has_changes else "bold green")
    parts: list[RenderableType] = [Text(plan.summary, style=style)]
    parts += _changes(plan)
    quotas = _quotas(plan)
    if quotas is not None:
        parts.append(quotas)
    for cost in plan.costs:
        sign = "+" if cost.delta > 0 else ""
        parts.append(
            Text(
                f"{cost.project}: {cost.before:.2f} → {cost.after:.2f} {cost.currency}/month "
                f"({sign}{cost.delta:.2f})"
            )
        )
    parts += [diagnostic_text(d) for d in plan.diagnostics]
    parts.append(
        Text(
            f"live state read with {plan.api_calls} CloudStack API calls "
            f"in {plan.read_seconds:.2f}s",
            style="dim",
        )
    )
    return Group(*parts)
