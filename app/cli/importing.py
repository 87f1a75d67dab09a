"""`stackgate import`: write a project file from what already runs in a CloudStack project."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError
from rich.console import Console

from app.cli.common import FAILED, console, settings
from app.cloudstack.clouds import Clouds, UnknownCloud
from app.cloudstack.errors import CloudStackError
from app.imports.model import SECTIONS, ImportedProject
from app.imports.reading import NoSuchProject, import_project
from app.imports.writer import render, write_atomically
from app.spec.merge import DEFAULT_CLOUD


def import_(
    project: Annotated[str, typer.Option(help="The CloudStack project to import.")],
    cloud: Annotated[str, typer.Option(help="The configured cloud to read.")] = DEFAULT_CLOUD,
    out: Annotated[
        Path, typer.Option(help="Root of the infrastructure repo to write into.", file_okay=False)
    ] = Path("."),
) -> None:
    """Write projects/<project>.yaml from every object of a CloudStack project, tagged or not;
    exit 1 if anything could not be mapped."""
    printer = console()
    with Clouds(settings()) as clouds:
        try:
            imported = import_project(clouds.client(cloud), project)
        except (NoSuchProject, UnknownCloud, CloudStackError, ValidationError) as problem:
            printer.print(f"stackgate import: {problem}", style="red")
            raise typer.Exit(FAILED) from None
    raise typer.Exit(write_project(imported, out, printer))


def write_project(imported: ImportedProject, out: Path, printer: Console) -> int:
    """Write the file, print the summary per kind; the exit code: 1 if anything was left out."""
    target = out / "projects" / f"{imported.name}.yaml"
    write_atomically(target, render(imported))
    printer.print(f"Wrote {target}")
    for section in SECTIONS:
        kind = section.rstrip("s") if section.endswith("s") else section
        skipped = [s for s in imported.skipped if f"{s.kind}s".startswith(kind)]
        if imported.imported(section) or skipped:
            printer.print(
                f"  {section}: {imported.imported(section)} imported, {len(skipped)} skipped"
            )
        for item in skipped:
            printer.print(f"    {item.kind} {item.name} ({item.id}): {item.reason}", style="yellow")
    for other in imported.unmodelled:
        printer.print(f"  not modelled: {other.kind} {other.name} ({other.id})")
    for kind in imported.unchecked:
        printer.print(f"  not checked: {kind}")
    return FAILED if imported.skipped else 0
