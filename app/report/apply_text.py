"""An apply's outcome for a terminal: one line per step, then the verdict."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.text import Text

from app.apply.journal import DONE, FAILED, SKIPPED, Run

_MARK = {DONE: ("✓", "green"), FAILED: ("✗", "red"), SKIPPED: ("-", "yellow")}


def render_apply(run: Run) -> RenderableType:
    lines: list[RenderableType] = []
    for step in run.steps:
        mark, style = _MARK.get(step.state, ("…", "dim"))
        line = Text(f"{mark} ", style=style)
        line.append(f"{step.action:7} {step.address}")
        if step.state == DONE and step.resource_id:
            line.append(f"  id {step.resource_id}", style="dim")
        elif step.error:
            line.append(f"  {step.error}", style=style)
        lines.append(line)
    ok = run.succeeded
    done, rest = run.tally()
    verdict = (
        f"Applied {len(run.steps)} change(s)."
        if ok
        else f"Applied {done} of {len(run.steps)}; {rest}. Fix the cause and run "
        "`stackgate apply` again: it plans what is left from the cloud as it is, and never "
        "repeats what is done."
    )
    lines.append(Text(verdict, style="bold green" if ok else "bold red"))
    return Group(*lines)
