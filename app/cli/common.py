"""What every stackgate command shares: the console, exit codes, and settings read without a
traceback.

The command modules import what a command needs inside it, so that `stackgate --version` or
`validate` does not pay for the web service, the store or the CloudStack client at start-up."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from rich.console import Console

    from app.config import Settings
    from app.spec import DesiredState

PIPE_WIDTH = 120

# exit codes of `stackgate plan`, which scripts depend on
NO_CHANGES, FAILED, CHANGES = 0, 1, 2


class OutputFormat(StrEnum):
    text = "text"
    json = "json"


RepoPath = Annotated[
    Path,
    typer.Argument(
        help="Root of the infrastructure repo.", exists=True, file_okay=False, resolve_path=False
    ),
]


def console() -> Console:
    """Rich output; piped (CI logs, files), lines may be wider than the 80 columns rich assumes."""
    from rich.console import Console

    width = None if sys.stdout.isatty() else PIPE_WIDTH
    return Console(highlight=False, soft_wrap=True, width=width)


def settings(**given: Any) -> Settings:
    """Settings, or a clear message and exit 2 when they are incomplete (never a traceback)."""
    from pydantic import ValidationError

    from app.config import Settings

    try:
        return Settings(**given)
    except ValidationError as problem:
        for error in problem.errors():
            where = ".".join(map(str, error["loc"])) or "settings"
            said = error["msg"].removeprefix("Value error, ")  # pydantic's words, not ours
            typer.echo(f"stackgate: {where}: {said}", err=True)
        raise typer.Exit(2) from None


def print_validation(state: DesiredState, root: str, out: Console | None = None) -> None:
    from app.report.diagnostics import diagnostic_text, summary_line

    out = out or console()
    for diagnostic in state.diagnostics:
        out.print(diagnostic_text(diagnostic))
    out.print(summary_line(state, root))
