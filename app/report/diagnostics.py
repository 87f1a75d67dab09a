"""Diagnostics for people (one line each, editor-clickable) and for scripts (JSON)."""

from __future__ import annotations

from typing import Any

from rich.text import Text

from app.spec.diagnostics import Diagnostic
from app.spec.state import DesiredState

_STYLE = {"error": "bold red", "warning": "yellow"}


def diagnostic_text(diagnostic: Diagnostic) -> Text:
    """The `file:line:col: error SGxxx message (hint)` line, coloured by severity."""
    severity = diagnostic.severity.value
    line = Text()
    line.append(f"{diagnostic.location}: ", style="bold")
    line.append(severity, style=_STYLE[severity])
    line.append(f" {diagnostic.code.value} {diagnostic.message}")
    if diagnostic.hint:
        line.append(f" ({diagnostic.hint})", style="dim")
    return line


def summary_line(state: DesiredState, root: str) -> Text:
    errors, warnings = len(state.errors), len(state.warnings)
    counts = f"{len(state.projects)} projects, {state.resource_count()} resources"
    if errors:
        return Text(
            f"✗ {root}: {_count(errors, 'error')}, {_count(warnings, 'warning')} ({counts})",
            style="red",
        )
    suffix = f", {_count(warnings, 'warning')}" if warnings else ""
    return Text(f"✓ {root}: valid — {counts}{suffix}", style="green")


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def validation_json(state: DesiredState) -> dict[str, Any]:
    return {
        "valid": state.ok,
        "errors": len(state.errors),
        "warnings": len(state.warnings),
        "diagnostics": [d.as_dict() for d in state.diagnostics],
        "projects": [
            {
                "name": project.name,
                "cloud": project.cloud,
                "zone": project.zone,
                "files": list(project.files),
                "resources": project.resource_count(),
            }
            for project in state.projects.values()
        ],
    }
