"""The commands that read a repo against the cloud: validate, plan and reconcile."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from app.cli.common import (
    CHANGES,
    FAILED,
    NO_CHANGES,
    OutputFormat,
    RepoPath,
    console,
    print_validation,
    settings,
)

if TYPE_CHECKING:
    from app.plan.model import Plan
    from app.spec import DesiredState


class PlanFormat(StrEnum):
    text = "text"
    markdown = "markdown"
    json = "json"
    policy_input = "policy-input"


def validate(
    path: RepoPath = Path("."),
    output: Annotated[
        OutputFormat, typer.Option("--format", help="Output format.")
    ] = OutputFormat.text,
    show: Annotated[bool, typer.Option(help="Also print every project and resource.")] = False,
) -> None:
    """Check the repo's YAML and print one line per problem; exit 1 on errors."""
    from app.report.diagnostics import validation_json
    from app.spec import load_repo

    state = load_repo(path)
    if output is OutputFormat.json:
        typer.echo(json.dumps(validation_json(state), indent=2))
    else:
        out = console()
        print_validation(state, str(path), out)
        if show:
            from app.report.desired import desired_state_trees

            for tree in desired_state_trees(state):
                out.print(tree, soft_wrap=False)
    raise typer.Exit(0 if state.ok else 1)


def plan(
    path: RepoPath = Path("."),
    base: Annotated[
        str | None, typer.Option(help="Plan only projects changed since this git ref.")
    ] = None,
    output: Annotated[
        PlanFormat, typer.Option("--format", help="Output format.")
    ] = PlanFormat.text,
) -> None:
    """Plan the repo against the cloud; exit 0 without changes, 2 with changes, 1 on errors."""
    from app.forges.local import git
    from app.spec import load_repo

    out = console()
    desired = load_repo(path)
    try:
        result, notices = plan_against_clouds(path, desired, base)
    except git.GitError as problem:
        out.print(f"git: {problem}", style="red")
        raise typer.Exit(FAILED) from None
    if output is PlanFormat.text:
        from app.report.plan_terminal import render_terminal

        for notice in notices:
            out.print(notice, style="yellow")
        out.print(render_terminal(result), soft_wrap=False)
    else:
        typer.echo(_plan_document(result, desired, output), nl=False)
    raise typer.Exit(FAILED if result.has_errors else CHANGES if result.has_changes else NO_CHANGES)


def _plan_document(result: Plan, desired: DesiredState, output: PlanFormat) -> str:
    """The plan for a script or a comment; only the chosen format's renderer is loaded."""
    if output is PlanFormat.json:
        from app.plan.serialize import to_json

        return to_json(result)
    if output is PlanFormat.policy_input:
        from app.policy.input import build_input

        return json.dumps(build_input(result, desired), indent=2, sort_keys=True) + "\n"
    from app.report.plan_markdown import GITLAB_LIMIT, render_comment

    return "\n".join(render_comment(result, limit=GITLAB_LIMIT))


def plan_against_clouds(
    path: Path, desired: DesiredState, base: str | None
) -> tuple[Plan, list[str]]:
    """Plan against the configured clouds (or the sandbox); the notices say which."""
    from app.cloudstack.clouds import Clouds
    from app.flows.planning import plan_projects, repo_name, touched_projects
    from app.forges.local import git
    from app.spec import load_desired_state

    scope = None
    if base is not None:
        before = load_desired_state(git.GitTreeSource(path, base))
        scope = touched_projects(git.changed_paths(path, base), desired, before)
    repo = repo_name(desired, git.repo_id(path) or path.resolve().name)
    configured = settings()
    with Clouds(configured) as clouds:
        planned = plan_projects(
            desired, clouds, repo, scope, prices=configured.prices, outages_raise=False
        )
        return planned, list(clouds.notices)


def reconcile(
    path: RepoPath = Path("."),
    output: Annotated[
        OutputFormat, typer.Option("--format", help="Output format.")
    ] = OutputFormat.text,
    record: Annotated[
        bool, typer.Option(help="Keep the report in the store (STACKGATE_DATABASE_URL).")
    ] = True,
) -> None:
    """Compare the whole repo with the cloud and report drift; exit 0 none, 2 drift, 1 errors."""
    from app.forges.local import git
    from app.plan.drift import drift_of
    from app.plan.serialize import plan_hash
    from app.report.diagnostics import diagnostic_text
    from app.report.drift import drift_items, drift_json, render_drift
    from app.spec import load_repo
    from app.store.database import open_store
    from app.store.drift import record_drift

    desired = load_repo(path)
    result, notices = plan_against_clouds(path, desired, None)
    found = drift_of(result)
    problems = sum(1 for d in result.diagnostics if d.is_error)
    commit = git.head_commit(path)
    if record:
        with open_store(settings().database_url).begin() as session:
            items = drift_items(found)
            record_drift(session, result.repo, commit, plan_hash(result), items, problems)
    if output is OutputFormat.json:
        typer.echo(json.dumps(drift_json(result.repo, commit, found, problems), indent=2))
    else:
        out = console()
        for notice in notices:
            out.print(notice, style="yellow")
        for diagnostic in result.diagnostics:
            out.print(diagnostic_text(diagnostic))
        out.print(render_drift(result.repo, found, problems), soft_wrap=False)
    raise typer.Exit(FAILED if problems else CHANGES if found else NO_CHANGES)
