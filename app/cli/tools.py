"""Commands for trying stackgate out and for editors: schema, demo and the CloudStack sandbox."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from app.cli.common import console


class SchemaChoice(StrEnum):
    project = "project"
    settings = "settings"
    policy_input = "policy-input"


def schema(
    kind: Annotated[
        SchemaChoice, typer.Option(help="Which document's schema.")
    ] = SchemaChoice.project,
    write: Annotated[bool, typer.Option(help="Write it to its committed file instead.")] = False,
) -> None:
    """Print a JSON Schema: project files, stackgate.yaml, or the policy input document."""
    from app.policy.input import INPUT_SCHEMA_FILE, render_input_schema
    from app.spec.schema import SCHEMA_FILES, SchemaKind, render_schema

    if kind is SchemaChoice.policy_input:
        text, target = render_input_schema(), INPUT_SCHEMA_FILE
    else:
        spec_kind: SchemaKind = "project" if kind is SchemaChoice.project else "settings"
        text, target = render_schema(spec_kind), SCHEMA_FILES[spec_kind]
    if write:
        Path(target).write_text(text, encoding="utf-8")
    else:
        typer.echo(text, nl=False)


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
    applied; then a new team's project, asked for and approved the same way; then a
    Kubernetes cluster's scale-up planned with the quota it takes."""
    from app.demo.story import tell

    keep = sys.stdin.isatty() and sys.stdout.isatty() if serve is None else serve
    raise typer.Exit(tell(console(), port, keep))


def sandbox(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8080,
    seed: Annotated[
        Path | None,
        typer.Option(
            help="Seed file: zones, catalog, projects (default: the built-in one).",
            exists=True,
            dir_okay=False,
        ),
    ] = None,
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
    import uvicorn

    from app.sandbox.launch import build_api
    from app.sandbox.seed import DEFAULT_SEED
    from app.sandbox.server import API_PATH, create_sandbox_app

    api = build_api(seed or DEFAULT_SEED, api_key, secret_key, job_seconds, state)
    url = f"http://{host}:{port}{API_PATH}"
    out = console()
    out.print(f"CloudStack sandbox: {url}")
    out.print(f"  api key:    {api.state.api_key}")
    out.print(f"  secret key: {api.state.secret_key}")
    out.print("Point stackgate at it with:")
    out.print(f"  export STACKGATE_CLOUDSTACK_URL={url}")
    out.print(f"  export STACKGATE_CLOUDSTACK_API_KEY={api.state.api_key}")
    out.print(f"  export STACKGATE_CLOUDSTACK_SECRET_KEY={api.state.secret_key}")
    uvicorn.run(create_sandbox_app(api), host=host, port=port, log_level="warning")
