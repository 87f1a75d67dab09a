"""`stackgate apply`: plan, confirm and apply the repo, or resume the apply left unfinished."""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from app.cli.common import FAILED, RepoPath, console, print_validation, settings

if TYPE_CHECKING:
    from rich.console import Console

    from app.apply.journal import Journal, Run
    from app.cloudstack.clouds import Clouds
    from app.spec import DesiredState


def apply(
    path: RepoPath = Path("."),
    auto_approve: Annotated[
        bool, typer.Option("--auto-approve", help="Apply without asking (CI jobs).")
    ] = False,
) -> None:
    """Apply the repo to the cloud, resuming an unfinished apply first; exit 0 when all done."""
    from app.apply.context import CloudUnreadable
    from app.apply.executor import Executor
    from app.apply.journal import Journal
    from app.cloudstack.clouds import Clouds
    from app.flows.planning import repo_name
    from app.forges.local import git
    from app.report.apply_text import render_apply
    from app.spec import load_repo
    from app.store.database import open_store

    configured, out = settings(), console()
    desired = load_repo(path)
    if not desired.ok:
        print_validation(desired, str(path), out)
        raise typer.Exit(FAILED)
    journal = Journal(open_store(configured.database_url))
    repo = repo_name(desired, git.repo_id(path) or path.resolve().name)
    commit = git.head_commit(path)
    with Clouds(configured) as clouds:
        run = journal.unfinished(repo)
        if run is not None:
            done = sum(1 for step in run.steps if step.state == "done")
            out.print(f"Resuming apply {run.id}: {done} of {len(run.steps)} steps done.")
        else:
            run = _start_apply(journal, clouds, desired, repo, commit, auto_approve, out)
        try:
            finished = Executor(clouds, journal, configured.apply_concurrency).apply(
                run, desired, commit
            )
        except CloudUnreadable as problem:
            out.print(f"Nothing applied: {problem}", style="red")
            raise typer.Exit(FAILED) from None
    out.print(render_apply(finished), soft_wrap=True)  # whole lines: errors are quoted
    raise typer.Exit(0 if finished.succeeded else FAILED)


def _start_apply(
    journal: Journal,
    clouds: Clouds,
    desired: DesiredState,
    repo: str,
    commit: str,
    auto_approve: bool,
    out: Console,
) -> Run:
    from app.apply.executor import unsupported
    from app.flows.planning import plan_projects
    from app.report.plan_terminal import render_terminal

    plan = plan_projects(
        desired, clouds, repo, None, prices=clouds.settings.prices, outages_raise=False
    )
    for notice in clouds.notices:
        out.print(notice, style="yellow")
    out.print(render_terminal(plan), soft_wrap=False)
    if plan.has_errors:
        raise typer.Exit(FAILED)
    if not plan.has_changes:
        out.print("Nothing to apply: the cloud matches the repo.")
        raise typer.Exit(0)
    missing = unsupported(plan.changes)
    if missing:
        out.print("apply cannot make these changes yet; nothing was applied:", style="red")
        for change in missing:
            out.print(f"  {change.action.value} {change.address}")
        raise typer.Exit(FAILED)
    if not auto_approve and not typer.confirm("Apply these changes?"):
        out.print("Nothing applied.")
        raise typer.Exit(FAILED)
    return journal.start(plan, commit, getpass.getuser())
