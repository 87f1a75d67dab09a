"""The `stackgate` command: one entry point for operators, CI jobs and the demo."""

from __future__ import annotations

import getpass
import json
import os
import sys
from dataclasses import replace
from enum import StrEnum
from importlib.metadata import version
from pathlib import Path
from typing import Annotated, Any

import typer
import uvicorn
from pydantic import ValidationError
from rich.console import Console

from app.apply.context import CloudUnreadable
from app.apply.executor import Executor, unsupported
from app.apply.journal import Journal, Run
from app.cloudstack.clouds import Clouds
from app.cloudstack.errors import CloudStackError
from app.cloudstack.sandbox.launch import build_api
from app.cloudstack.sandbox.seed import DEFAULT_SEED
from app.cloudstack.sandbox.server import API_PATH, create_sandbox_app
from app.config import Settings
from app.flows.planning import plan_projects, repo_name, touched_projects
from app.forges.local import git
from app.plan.drift import drift_of
from app.plan.model import Plan
from app.plan.serialize import plan_hash, to_json
from app.policy.engines import PolicyEngine, engine_for
from app.policy.input import INPUT_SCHEMA_FILE, build_input, render_input_schema
from app.policy.model import PolicySet
from app.policy.sources import platform_policy_set
from app.policy.testing import run_tests
from app.report.apply_text import render_apply
from app.report.desired import desired_state_trees
from app.report.diagnostics import diagnostic_text, summary_line, validation_json
from app.report.drift import drift_items, drift_json, render_drift
from app.report.plan_markdown import GITLAB_LIMIT, render_comment
from app.report.plan_terminal import render_terminal
from app.spec import DesiredState, load_desired_state, load_repo
from app.spec.schema import SCHEMA_FILES, SchemaKind, render_schema
from app.store.database import open_store
from app.store.drift import record_drift

PIPE_WIDTH = 120

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


class PlanFormat(StrEnum):
    text = "text"
    markdown = "markdown"
    json = "json"
    policy_input = "policy-input"


# exit codes of `stackgate plan`, which scripts depend on
NO_CHANGES, FAILED, CHANGES = 0, 1, 2


def _console() -> Console:
    """Rich output; piped (CI logs, files), lines may be wider than the 80 columns rich assumes."""
    width = None if sys.stdout.isatty() else PIPE_WIDTH
    return Console(highlight=False, soft_wrap=True, width=width)


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
    show: Annotated[bool, typer.Option(help="Also print every project and resource.")] = False,
) -> None:
    """Check the repo's YAML and print one line per problem; exit 1 on errors."""
    state = load_repo(path)
    if output is OutputFormat.json:
        typer.echo(json.dumps(validation_json(state), indent=2))
    else:
        console = _console()
        _print_validation(state, str(path), console)
        for tree in desired_state_trees(state) if show else []:
            console.print(tree, soft_wrap=False)
    raise typer.Exit(0 if state.ok else 1)


@cli.command()
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
    console = _console()
    desired = load_repo(path)
    try:
        result, notices = _plan(path, desired, base)
    except git.GitError as problem:
        console.print(f"git: {problem}", style="red")
        raise typer.Exit(FAILED) from None
    if output is PlanFormat.json:
        typer.echo(to_json(result), nl=False)
    elif output is PlanFormat.policy_input:
        typer.echo(json.dumps(build_input(result, desired), indent=2, sort_keys=True))
    elif output is PlanFormat.markdown:
        typer.echo("\n".join(render_comment(result, limit=GITLAB_LIMIT)), nl=False)
    else:
        for notice in notices:
            console.print(notice, style="yellow")
        console.print(render_terminal(result), soft_wrap=False)
    raise typer.Exit(FAILED if result.has_errors else CHANGES if result.has_changes else NO_CHANGES)


def _plan(path: Path, desired: DesiredState, base: str | None) -> tuple[Plan, list[str]]:
    """Plan against the configured clouds (or the sandbox); the notices say which."""
    scope = None
    if base is not None:
        before = load_desired_state(git.GitTreeSource(path, base))
        scope = touched_projects(git.changed_paths(path, base), desired, before)
    repo = repo_name(desired, git.repo_id(path) or path.resolve().name)
    settings = Settings()
    with Clouds(settings) as clouds:
        planned = plan_projects(
            desired, clouds, repo, scope, prices=settings.prices, outages_raise=False
        )
        return planned, list(clouds.notices)


@cli.command()
def apply(
    path: RepoPath = Path("."),
    auto_approve: Annotated[
        bool, typer.Option("--auto-approve", help="Apply without asking (CI jobs).")
    ] = False,
) -> None:
    """Apply the repo to the cloud, resuming an unfinished apply first; exit 0 when all done."""
    settings, console = _settings(), _console()
    desired = load_repo(path)
    if not desired.ok:
        _print_validation(desired, str(path), console)
        raise typer.Exit(FAILED)
    journal = Journal(open_store(settings.database_url))
    repo = repo_name(desired, git.repo_id(path) or path.resolve().name)
    commit = git.head_commit(path)
    with Clouds(settings) as clouds:
        run = journal.unfinished(repo)
        if run is not None:
            done = sum(1 for step in run.steps if step.state == "done")
            console.print(f"Resuming apply {run.id}: {done} of {len(run.steps)} steps done.")
        else:
            run = _start_apply(journal, clouds, desired, repo, commit, auto_approve, console)
        try:
            finished = Executor(clouds, journal, settings.apply_concurrency).apply(
                run, desired, commit
            )
        except CloudUnreadable as problem:
            console.print(f"Nothing applied: {problem}", style="red")
            raise typer.Exit(FAILED) from None
    console.print(render_apply(finished), soft_wrap=True)  # whole lines: errors are quoted
    raise typer.Exit(0 if finished.succeeded else FAILED)


def _start_apply(
    journal: Journal,
    clouds: Clouds,
    desired: DesiredState,
    repo: str,
    commit: str,
    auto_approve: bool,
    console: Console,
) -> Run:
    plan = plan_projects(desired, clouds, repo, None, prices=Settings().prices, outages_raise=False)
    for notice in clouds.notices:
        console.print(notice, style="yellow")
    console.print(render_terminal(plan), soft_wrap=False)
    if plan.has_errors:
        raise typer.Exit(FAILED)
    if not plan.has_changes:
        console.print("Nothing to apply: the cloud matches the repo.")
        raise typer.Exit(0)
    missing = unsupported(plan.changes)
    if missing:
        console.print("apply cannot make these changes yet; nothing was applied:", style="red")
        for change in missing:
            console.print(f"  {change.action.value} {change.address}")
        raise typer.Exit(FAILED)
    if not auto_approve and not typer.confirm("Apply these changes?"):
        console.print("Nothing applied.")
        raise typer.Exit(FAILED)
    return journal.start(plan, commit, getpass.getuser())


@cli.command()
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
    desired = load_repo(path)
    result, notices = _plan(path, desired, None)
    found = drift_of(result)
    problems = sum(1 for d in result.diagnostics if d.is_error)
    commit = git.head_commit(path)
    if record:
        with open_store(_settings().database_url).begin() as session:
            items = drift_items(found)
            record_drift(session, result.repo, commit, plan_hash(result), items, problems)
    if output is OutputFormat.json:
        typer.echo(json.dumps(drift_json(result.repo, commit, found, problems), indent=2))
    else:
        console = _console()
        for notice in notices:
            console.print(notice, style="yellow")
        for diagnostic in result.diagnostics:
            console.print(diagnostic_text(diagnostic))
        console.print(render_drift(result.repo, found, problems), soft_wrap=False)
    raise typer.Exit(FAILED if problems else CHANGES if found else NO_CHANGES)


class SchemaChoice(StrEnum):
    project = "project"
    settings = "settings"
    policy_input = "policy-input"


@cli.command()
def schema(
    kind: Annotated[
        SchemaChoice, typer.Option(help="Which document's schema.")
    ] = SchemaChoice.project,
    write: Annotated[bool, typer.Option(help="Write it to its committed file instead.")] = False,
) -> None:
    """Print a JSON Schema: project files, stackgate.yaml, or the policy input document."""
    if kind is SchemaChoice.policy_input:
        text, target = render_input_schema(), INPUT_SCHEMA_FILE
    else:
        spec_kind: SchemaKind = "project" if kind is SchemaChoice.project else "settings"
        text, target = render_schema(spec_kind), SCHEMA_FILES[spec_kind]
    if write:
        Path(target).write_text(text, encoding="utf-8")
    else:
        typer.echo(text, nl=False)


@cli.command()
def demo(
    port: Annotated[
        int, typer.Option(help="Port for the service and its dashboard (any free one if taken).")
    ] = 8000,
    serve: Annotated[
        bool | None,
        typer.Option(help="Keep serving the dashboard after the story; default: on a terminal."),
    ] = None,
) -> None:
    """The whole flow on embedded defaults: a change proposed, planned, approved, merged,
    applied."""
    from app.demo.story import tell  # the service's dependencies load only for the demo

    keep = sys.stdin.isatty() and sys.stdout.isatty() if serve is None else serve
    raise typer.Exit(tell(_console(), port, keep))


@cli.command()
def sandbox(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8080,
    seed: Annotated[
        Path, typer.Option(help="Seed file: zones, catalog, projects.", exists=True, dir_okay=False)
    ] = DEFAULT_SEED,
    api_key: Annotated[
        str | None, typer.Option(help="API key to accept (random if unset).")
    ] = None,
    secret_key: Annotated[
        str | None, typer.Option(help="Secret key to accept (random if unset).")
    ] = None,
    job_seconds: Annotated[float, typer.Option(help="How long each async job runs.", min=0)] = 0.0,
    state: Annotated[
        Path | None, typer.Option(help="Keep the cloud in this file across restarts.")
    ] = None,
) -> None:
    """Serve the built-in CloudStack API sandbox and print its endpoint and credentials."""
    api = build_api(seed, api_key, secret_key, job_seconds, state)
    url = f"http://{host}:{port}{API_PATH}"
    console = _console()
    console.print(f"CloudStack sandbox: {url}")
    console.print(f"  api key:    {api.state.api_key}")
    console.print(f"  secret key: {api.state.secret_key}")
    console.print("Point stackgate at it with:")
    console.print(f"  export STACKGATE_CLOUDSTACK_URL={url}")
    console.print(f"  export STACKGATE_CLOUDSTACK_API_KEY={api.state.api_key}")
    console.print(f"  export STACKGATE_CLOUDSTACK_SECRET_KEY={api.state.secret_key}")
    uvicorn.run(create_sandbox_app(api), host=host, port=port, log_level="warning")


def _settings(**given: Any) -> Settings:
    """Settings, or a clear message and exit 2 when they are incomplete (never a traceback)."""
    try:
        return Settings(**given)
    except ValidationError as problem:
        for error in problem.errors():
            where = ".".join(map(str, error["loc"])) or "settings"
            typer.echo(f"stackgate: {where}: {error['msg']}", err=True)
        raise typer.Exit(2) from None


@cli.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
) -> None:
    """Answer GitHub and GitLab webhooks: POST /webhooks/github, /webhooks/gitlab."""
    from app.logs import configure
    from app.main import create_app  # the service's dependencies load only when serving

    settings = _settings()
    configure(settings.log_format, settings.log_level)
    uvicorn.run(create_app(settings), host=host, port=port, log_config=None)


@cli.command()
def worker(
    threads: Annotated[int, typer.Option(help="Jobs to run at once.", min=1)] = 4,
    metrics_port: Annotated[
        int | None, typer.Option(help="Serve this process's /metrics on this port.")
    ] = None,
) -> None:
    """Run queued jobs apart from the web service (share STACKGATE_DATABASE_URL with it)."""
    from prometheus_client import start_http_server

    from app.logs import configure
    from app.metrics import REGISTRY, expect_plans
    from app.service import build_services, build_worker

    settings = _settings()
    configure(settings.log_format, settings.log_level)
    services = build_services(settings)
    if metrics_port is not None:  # plan times and CloudStack calls happen in workers
        expect_plans(services.forges)
        start_http_server(metrics_port, registry=REGISTRY)
    running = build_worker(services, threads)
    running.start()
    _console().print(f"stackgate worker: {threads} thread(s); Ctrl-C stops")
    try:
        running.stopping.wait()
    except KeyboardInterrupt:
        running.stop()
    finally:
        services.engine.close()
        services.clouds.close()


@cli.command()
def ci() -> None:
    """In a GitHub Actions or GitLab CI job: plan, comment and set statuses for its pull
    request, or apply it once merged, without a server; exit 1 when the pipeline should fail."""
    from app.events.ci import NotCi, NothingToDo, detect
    from app.flows.ci import run_step
    from app.forges.base import ForgeError
    from app.logs import configure
    from app.service import build_services, ci_forge

    console = _console()
    try:
        run = detect(os.environ)
    except NotCi as problem:
        console.print(f"stackgate ci: {problem}", style="red")
        raise typer.Exit(FAILED) from None
    except NothingToDo as reason:
        console.print(f"stackgate ci: {reason}")
        raise typer.Exit(0) from None
    # The job's forge and token come from the CI environment; the service's are not wanted.
    unset = ("github_token", "github_webhook_secret", "gitlab_token", "gitlab_webhook_token")
    settings = _settings(**dict.fromkeys(unset))
    configure(settings.log_format, settings.log_level)
    if "database_url" not in settings.model_fields_set:
        console.print(
            "stackgate ci: no STACKGATE_DATABASE_URL: this job's plans, locks and apply "
            "journal die with it (see docs/ci.md)",
            style="yellow",
        )
    forge = ci_forge(run)
    services = build_services(settings, {run.forge: forge})
    try:
        number = run.number
        if number is None:  # a default-branch pipeline: the pull request its commit merged
            number = forge.merge_request_of(run.repo, run.commit)
        if number is None:
            console.print(f"stackgate ci: {run.commit[:12]} merged no merge request; nothing to do")
            raise typer.Exit(0)
        passed, said = run_step(services, run, number)
    except (ForgeError, CloudStackError) as problem:  # said in the host's or CloudStack's words
        console.print(f"stackgate ci: {problem}", style="red")
        raise typer.Exit(FAILED) from None
    finally:
        services.engine.close()
        services.clouds.close()
    console.print(f"stackgate ci: {said}", style="green" if passed else "red")
    raise typer.Exit(0 if passed else FAILED)


def _print_validation(state: DesiredState, root: str, console: Console | None = None) -> None:
    console = console or _console()
    for diagnostic in state.diagnostics:
        console.print(diagnostic_text(diagnostic))
    console.print(summary_line(state, root))


policy_cli = typer.Typer(help="Evaluate and test Rego policies.", no_args_is_help=True)
cli.add_typer(policy_cli, name="policy")
PolicyDirs = Annotated[
    list[Path] | None,
    typer.Option(
        "--policies", help="A policy folder to add (repeatable), e.g. a repo's policies/."
    ),
]
OpaUrl = Annotated[
    str | None,
    typer.Option(help="Use this OPA server (default: STACKGATE_OPA_URL, else embedded)."),
]
NoDefaults = Annotated[
    bool, typer.Option("--no-defaults", help="Leave out the shipped and operator policy folders.")
]


def _policy_set(added: list[Path], defaults: bool = True) -> PolicySet:
    return platform_policy_set(Settings(), added, defaults=defaults)


def _engine(opa_url: str | None) -> PolicyEngine:
    settings = Settings()
    return engine_for(opa_url or settings.opa_url, settings.policy_timeout)


@policy_cli.command("eval")
def policy_eval(
    input_file: Annotated[
        Path,
        typer.Option("--input", help="The input document (JSON).", exists=True, dir_okay=False),
    ],
    policies: PolicyDirs = None,
    opa_url: OpaUrl = None,
    no_defaults: NoDefaults = False,
) -> None:
    """Print the decision (deny, warn, approvals) for an input; exit 1 on policy errors."""
    document = json.loads(input_file.read_text(encoding="utf-8"))
    engine = _engine(opa_url)
    try:
        decision = engine.evaluate(_policy_set(policies or [], not no_defaults), document)
    finally:
        engine.close()
    typer.echo(json.dumps(decision.as_dict(), indent=2))
    raise typer.Exit(1 if decision.errors else 0)


@policy_cli.command("test")
def policy_test(
    folder: Annotated[
        Path | None,
        typer.Argument(
            help="Policy folder to test (beside the defaults); default: the shipped policies."
        ),
    ] = None,
    opa_url: OpaUrl = None,
    no_defaults: NoDefaults = False,
) -> None:
    """Run the Rego tests (test_* rules in *_test.rego); exit 1 if any fails."""
    console = _console()
    policies = _policy_set([folder] if folder else [], not no_defaults)
    if folder:  # only the folder's own tests, with every policy it may rely on loaded
        policies = replace(
            policies, tests=tuple(t for t in policies.tests if t.name.startswith(f"{folder}/"))
        )
    engine = _engine(opa_url)
    try:
        results = run_tests(engine, policies)
    finally:
        engine.close()
    for result in results:
        mark = "[green]PASS[/]" if result.passed else "[red]FAIL[/]"
        detail = f" — {result.error}" if result.error else ""
        console.print(f"{mark} {result.file}:{result.line} {result.name}{detail}")
    failed = sum(not r.passed for r in results)
    console.print(f"{len(results) - failed} passed, {failed} failed ({engine.name})")
    raise typer.Exit(1 if failed or not results else 0)


def main() -> None:
    cli()
