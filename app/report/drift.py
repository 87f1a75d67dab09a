"""Drift for people: a terminal listing by project, and the JSON a scheduler or store keeps."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.console import Group, RenderableType
from rich.text import Text

from app.apply.journal import Run
from app.forges.base import Branch
from app.plan.drift import Drift, DriftKind
from app.policy.model import Decision
from app.report.plan_markdown import cell
from app.report.plan_text import details

_STYLE = {
    DriftKind.MISSING: "yellow",
    DriftKind.CHANGED: "cyan",
    DriftKind.LEFTOVER: "red",
    DriftKind.UNADOPTED: "magenta",
}
_SAYS = {
    DriftKind.MISSING: "in the repo, not in the cloud: ",
    DriftKind.CHANGED: "cloud → repo: ",
    DriftKind.LEFTOVER: "in the cloud, gone from the repo: ",
    DriftKind.UNADOPTED: "in the repo, and in the cloud untagged (adopt it in a pull request): ",
}


def detail(item: Drift) -> str:
    return _SAYS[item.kind] + details(item.change)


def drift_items(drift: Sequence[Drift]) -> list[dict[str, str]]:
    return [
        {
            "project": item.change.project,
            "address": item.change.address,
            "kind": item.kind.value,
            "detail": detail(item),
        }
        for item in drift
    ]


def render_drift(repo: str, drift: Sequence[Drift], problems: int) -> RenderableType:
    if not drift and not problems:
        return Text(f"✓ {repo}: the cloud matches the default branch", style="green")
    lines: list[RenderableType] = []
    project = None
    for item in drift:
        if item.change.project != project:
            project = item.change.project
            lines.append(Text(project, style="bold"))
        line = Text("  ")
        line.append(f"{item.kind.value:9}", style=_STYLE[item.kind])
        line.append(f"{item.change.kind}/{item.change.name}  ")
        line.append(detail(item), style="dim")
        lines.append(line)
    summary = ", ".join(f"{n} {kind}" for kind, n in _counts(drift).items())
    tail = f"; {problems} problem(s) kept some projects from being judged" if problems else ""
    lines.append(Text(f"✗ {repo}: drift — {summary}{tail}", style="bold red"))
    return Group(*lines)


def drift_issue(
    repo: str,
    tip: Branch,
    drift: Sequence[Drift],
    problems: int,
    healed: Run | None,
    note: str = "",
) -> str:
    """The body of the forge issue that stays open while the cloud and the branch disagree."""
    lines = [
        f"Reconcile planned `{tip.name}` at `{tip.sha[:12]}` of `{repo}` against the cloud "
        "and found these differences. Merge a change that makes the repo say what the cloud "
        "should be, or put the cloud back (`reconcile: heal` in a project file does that "
        "automatically). This issue closes itself when they agree again.",
        "",
        "| project | object | drift | detail |",
        "|---|---|---|---|",
    ]
    lines += [
        f"| {d.change.project} | `{d.change.kind}/{d.change.name}` | {d.kind.value} "
        f"| {cell(detail(d))} |"
        for d in drift
    ]
    if problems:
        lines += ["", f"{problems} problem(s) in the repo kept some projects from being judged."]
    if healed is not None:
        done = sum(1 for s in healed.steps if s.state == "done")
        lines += ["", f"Healed {done} of {len(healed.steps)} change(s) (apply run {healed.id})."]
        lines += [
            f"- {s.action} `{s.address}`: {s.error}" for s in healed.steps if s.state != "done"
        ]
    if note:
        lines += ["", note]
    return "\n".join(lines) + "\n"


def heal_refused(decision: Decision, missing: Sequence[str]) -> str:
    """Why the policies kept a heal from running, for the drift issue: what denied it, what
    could not be evaluated, which approvals beyond the owners' it would need."""
    if decision.deny:
        lead = "not healed: the policies deny it"
    elif decision.errors:
        lead = "not healed: a policy could not be evaluated (the gate fails closed)"
    else:
        lead = "not healed: it needs approvals that the owners' `reconcile: heal` does not give"
    lines = [
        f"{lead}. Nothing was changed; a pull request can make this change if it should be made:"
    ]
    lines += [f"- policy **{f.rule or 'deny'}**: {cell(f.msg)}" for f in decision.deny]
    lines += [f"- policy error: `{error}`" for error in decision.errors]
    lines += [f"- needs {need}" for need in missing]
    return "\n".join(lines)


def drift_json(repo: str, commit: str, drift: Sequence[Drift], problems: int) -> dict[str, Any]:
    return {
        "repo": repo,
        "commit": commit,
        "problems": problems,
        "counts": _counts(drift),
        "drift": drift_items(drift),
    }


def _counts(drift: Sequence[Drift]) -> dict[str, int]:
    return {kind.value: sum(1 for item in drift if item.kind is kind) for kind in DriftKind}
