"""The `stackgate` command: one entry point for operators, CI jobs and the demo."""

from __future__ import annotations

from typing import Annotated

import typer

from app import __version__
from app.cli.applying import apply
from app.cli.common import CHANGES, FAILED, NO_CHANGES
from app.cli.importing import import_
from app.cli.planning import plan, reconcile, validate
from app.cli.policy import policy_cli
from app.cli.service import ci, serve, worker
from app.cli.tools import demo, sandbox, schema

__all__ = ["CHANGES", "FAILED", "NO_CHANGES", "cli", "main"]

cli = typer.Typer(
    name="stackgate",
    help="A Git repository as the self-service front door of an Apache CloudStack cloud.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
# in the order `stackgate --help` lists them
for command in (validate, plan, apply, reconcile, schema, demo, sandbox, serve, worker, ci):
    cli.command()(command)
cli.command("import")(import_)
cli.add_typer(policy_cli, name="policy")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"stackgate {__version__}")
        raise typer.Exit()


@cli.callback()
def main_options(
    _version_flag: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    """stackgate: plans, policy gates and applies for CloudStack, driven by pull requests."""


def main() -> None:
    cli()
