"""`stackgate import`: write project files from what already runs in CloudStack, found by
project or through a Terraform state's ids."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from app.cli.common import FAILED, console, settings

if TYPE_CHECKING:
    from rich.console import Console

    from app.imports.model import ImportedProject
    from app.imports.tfstate import StateIds


def import_(
    project: Annotated[
        list[str] | None, typer.Option(help="A CloudStack project to import (may repeat).")
    ] = None,
    all_projects: Annotated[
        bool, typer.Option("--all-projects", help="Import every project of the cloud.")
    ] = False,
    from_tfstate: Annotated[
        Path | None,
        typer.Option(
            "--from-tfstate", help="Import what this Terraform/OpenTofu state manages instead."
        ),
    ] = None,
    cloud: Annotated[
        str | None, typer.Option(help="The configured cloud to read (default: the default one).")
    ] = None,
    out: Annotated[
        Path, typer.Option(help="Root of the infrastructure repo to write into.", file_okay=False)
    ] = Path("."),
) -> None:
    """Write projects/<project>.yaml from every object of CloudStack projects, tagged or not,
    or from what a Terraform state manages; exit 1 if anything could not be mapped."""
    from pydantic import ValidationError

    from app.cloudstack.clouds import Clouds, UnknownCloud
    from app.cloudstack.errors import CloudStackError
    from app.imports.reading import NoSuchProject, import_projects
    from app.imports.tfstate import BadState, read_state
    from app.spec.merge import DEFAULT_CLOUD

    printer = console()
    if [bool(project), all_projects, from_tfstate is not None].count(True) != 1:
        printer.print(
            "stackgate import: give one of --project, --all-projects or --from-tfstate",
            style="red",
        )
        raise typer.Exit(FAILED)
    try:
        state = read_state(from_tfstate) if from_tfstate else None
        with Clouds(settings()) as clouds:
            client = clouds.client(cloud or DEFAULT_CLOUD)
            if state is None:
                found = import_projects(client, None if all_projects else project)
            else:
                names = sorted(state.projects)
                found = import_projects(client, names, state.projects, state.public_keys)
    except (BadState, NoSuchProject, UnknownCloud, CloudStackError, ValidationError) as problem:
        printer.print(f"stackgate import: {problem}", style="red")
        raise typer.Exit(FAILED) from None
    try:
        failed = [write_project(imported, out, printer) for imported in found]
    except OSError as problem:  # the file being written is removed; an old one stays whole
        printer.print(f"stackgate import: {problem}", style="red")
        raise typer.Exit(FAILED) from None
    if state is not None:
        failed.append(_unmapped(state, found, printer))
    raise typer.Exit(max(failed, default=0))


def _unmapped(state: StateIds, found: list[ImportedProject], printer: Console) -> int:
    """What the state holds that was not written: its Terraform addresses."""
    seen = set().union(*(imported.seen for imported in found))
    missing = sorted(
        {state.addresses[id_] for ids in state.projects.values() for id_ in ids - seen}
    )
    unmapped = [*state.unmapped, *((address, "not found in the cloud") for address in missing)]
    for address, why in sorted(unmapped):
        printer.print(f"  not imported: {address}: {why}", style="yellow")
    return FAILED if unmapped else 0


def write_project(imported: ImportedProject, out: Path, printer: Console) -> int:
    """Write the file, print the summary per kind; the exit code: 1 if anything was left out
    (but what CloudStack made for an object written, as CKS a cluster's rules), written under
    another key than its CloudStack name, or with a placeholder to replace."""
    from app.imports.model import KIND_OF, SECTIONS
    from app.imports.writer import render, write_atomically

    target = out / "projects" / f"{imported.name}.yaml"
    write_atomically(target, render(imported))
    printer.print(f"Wrote {target}")
    for section in SECTIONS:
        kind = KIND_OF[section]
        renamed = [r for r in imported.renamed if r.kind == kind]
        skipped = [s for s in imported.skipped if s.kind == kind]
        if imported.imported(section) or skipped:
            line = f"  {section}: {imported.imported(section)} imported"
            line += f" ({len(renamed)} under a new key)" if renamed else ""
            printer.print(f"{line}, {len(skipped)} skipped")
        for new in renamed:
            printer.print(f"    {kind} '{new.name}' ({new.id}) as {new.key}: {new.rule}")
        for item in skipped:
            printer.print(f"    {item.kind} {item.name} ({item.id}): {item.reason}", style="yellow")
        for item in (p for p in imported.placeholders if p.kind == kind):
            printer.print(f"    {item.kind} {item.name} ({item.id}): {item.reason}", style="yellow")
    for setting in imported.skipped:
        if setting.kind not in KIND_OF.values():  # the project's own: members, limits
            name = f"{setting.kind} {setting.name}".rstrip()
            printer.print(f"  {name}: {setting.reason}", style="yellow")
    for other in imported.unmodelled:
        printer.print(f"  not modelled: {other.kind} {other.name} ({other.id})")
    for kind in imported.unchecked:
        printer.print(f"  not checked: {kind}")
    left_out = [s for s in imported.skipped if not s.owned]  # not a cluster's own rules
    return FAILED if left_out or imported.renamed or imported.placeholders else 0
