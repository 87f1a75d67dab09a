"""The `stackgate` command: one entry point for operators, CI jobs and the demo."""

from __future__ import annotations

import json
import os
from enum import StrEnum
from importlib.metadata import version
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from app.report.desired import desired_state_trees
from app.report.diagnostics import diagnostic_text, summary_line, validation_json
from app.spec import DesiredState, load_repo
from app.spec.schema import SCHEMA_FILES, SchemaKind, render_schema

EXAMPLE_REPO = Path(__file__).resolve().parent.parent / "examples" / "infra"

cli = typer.Typer(
    name="stackgate",
    help="A Git repository as the self-service front door of an Apache CloudStack cloud.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


class OutputFormat(StrEnum):
    text = "text"
    json = "json"


def _console() -> Console:
    return Console(highlight=False, soft_wrap=True)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"stackgate {version('stackgate')}")
        raise typer.Exit()


@cli.callback()
def main_options(
    _version_flag: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    """stackgate: plans, policy gates and applies for CloudStack, driven by pull requests."""


RepoPath = Annotated[
    Path,
    typer.Argument(
        help="Root of the infrastructure repo.", exists=True, file_okay=False, resolve_path=False
    ),
]


@cli.command()
def validate(
    path: RepoPath = Path("."),
    output: Annotated[
        OutputFormat, typer.Option("--format", help="Output format.")
    ] = OutputFormat.text,
) -> None:
    """Check the repo's YAML and print one line per problem; exit 1 on errors."""
    state = load_repo(path)
    if output is OutputFormat.json:
        typer.echo(json.dumps(validation_json(state), indent=2))
    else:
        _print_validation(state, str(path))
    raise typer.Exit(0 if state.ok else 1)


@cli.command()
def schema(
    kind: Annotated[SchemaKind, typer.Option(help="Which file's schema.")] = "project",
    write: Annotated[bool, typer.Option(help=f"Write to {SCHEMA_FILES['project']} etc.")] = False,
) -> None:
    """Print the JSON Schema of project files (or stackgate.yaml) for editors."""
    if write:
        Path(SCHEMA_FILES[kind]).write_text(render_schema(kind), encoding="utf-8")
    else:
        typer.echo(render_schema(kind), nl=False)


@cli.command()
def demo(path: RepoPath = EXAMPLE_REPO) -> None:
    """Show what stackgate does, on the example repo and the embedded defaults."""
    console = _console()
    shown = os.path.relpath(path)
    console.rule(f"stackgate validate {shown}")
    state = load_repo(path)
    _print_validation(state, shown, console)
    console.rule("desired state")
    for tree in desired_state_trees(state):
        console.print(tree, soft_wrap=False)
    raise typer.Exit(0 if state.ok else 1)


def _print_validation(state: DesiredState, root: str, console: Console | None = None) -> None:
    console = console or _console()
    for diagnostic in state.diagnostics:
        console.print(diagnostic_text(diagnostic))
    console.print(summary_line(state, root))


def main() -> None:
    cli()
