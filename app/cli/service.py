"""The long-running and CI commands: serve the webhooks, run the worker, run one CI job."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from app.cli.common import FAILED, console, settings


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
) -> None:
    """Answer GitHub and GitLab webhooks: POST /webhooks/github, /webhooks/gitlab."""
    import uvicorn

    from app.logs import configure
    from app.main import create_app

    configured = settings()
    configure(configured.log_format, configured.log_level)
    uvicorn.run(create_app(configured), host=host, port=port, log_config=None)


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

    configured = settings()
    configure(configured.log_format, configured.log_level)
    services = build_services(configured)
    if metrics_port is not None:  # plan times and CloudStack calls happen in workers
        expect_plans(services.forges)
        start_http_server(metrics_port, registry=REGISTRY)
    running = build_worker(services, threads)
    running.start()
    console().print(f"stackgate worker: {threads} thread(s); Ctrl-C stops")
    try:
        running.stopping.wait()
    except KeyboardInterrupt:
        running.stop()
    finally:
        services.engine.close()
        services.clouds.close()


def ci() -> None:
    """In a GitHub Actions or GitLab CI job: plan, comment and set statuses for its pull
    request, or apply it once merged, without a server; exit 1 when the pipeline should fail."""
    from app.cloudstack.errors import CloudStackError
    from app.events.ci import NotCi, NothingToDo, detect
    from app.flows.ci import run_step
    from app.forges.base import ForgeError
    from app.logs import configure
    from app.service import build_services, ci_forge

    out = console()
    try:
        run = detect(os.environ)
    except NotCi as problem:
        out.print(f"stackgate ci: {problem}", style="red")
        raise typer.Exit(FAILED) from None
    except NothingToDo as reason:
        out.print(f"stackgate ci: {reason}")
        raise typer.Exit(0) from None
    # The job's forge and token come from the CI environment; the service's are not wanted.
    unset = ("github_token", "github_webhook_secret", "gitlab_token", "gitlab_webhook_token")
    configured = settings(**dict.fromkeys(unset))
    configure(configured.log_format, configured.log_level)
    if "database_url" not in configured.model_fields_set:
        out.print(
            "stackgate ci: no STACKGATE_DATABASE_URL: this job's plans, locks and apply "
            "journal die with it (see docs/ci.md)",
            style="yellow",
        )
    forge = ci_forge(run)
    services = build_services(configured, {run.forge: forge})
    try:
        number = run.number
        if number is None:  # a default-branch pipeline: the pull request its commit merged
            number = forge.merge_request_of(run.repo, run.commit)
        if number is None:
            out.print(f"stackgate ci: {run.commit[:12]} merged no merge request; nothing to do")
            raise typer.Exit(0)
        passed, said = run_step(services, run, number)
    except (ForgeError, CloudStackError) as problem:  # said in the host's or CloudStack's words
        out.print(f"stackgate ci: {problem}", style="red")
        raise typer.Exit(FAILED) from None
    finally:
        services.engine.close()
        services.clouds.close()
    out.print(f"stackgate ci: {said}", style="green" if passed else "red")
    raise typer.Exit(0 if passed else FAILED)
