"""Build the running service from Settings: store, forges, clouds, policy engine, worker."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from app.cloudstack.clouds import Clouds
from app.config import Settings
from app.events.ci import CiRun
from app.flows.dispatch import classify, handler, reporter, retrying
from app.flows.reconcile import schedule
from app.flows.services import Services
from app.forges.base import Forge
from app.jobs.worker import RetryPolicy, Worker
from app.notify import overdue_locks
from app.policy.engines import engine_for
from app.store.database import open_store

if TYPE_CHECKING:
    from app.forges.github.client import GitHubForge
    from app.forges.gitlab.client import GitLabForge
    from app.webhooks.routes import Intake


def forges(settings: Settings) -> dict[str, Forge]:
    # Each forge's client library loads only when that forge is configured (process start).
    found: dict[str, Forge] = {}
    if settings.github_webhook_secret is not None:
        from app.forges.github.client import GitHubForge

        found["github"] = GitHubForge(
            settings.github_api_url,
            token=settings.github_token.get_secret_value() if settings.github_token else None,
            app_id=settings.github_app_id,
            private_key=settings.github_private_key(),
            bot=settings.github_bot,
        )
    if settings.gitlab_token is not None:
        from app.forges.gitlab.client import GitLabForge

        found["gitlab"] = GitLabForge(
            settings.gitlab_url, token=settings.gitlab_token.get_secret_value()
        )
    return found


def ci_forge(run: CiRun) -> GitHubForge | GitLabForge:
    """The forge a CI job talks to, with the job's own token."""
    token = run.token.get_secret_value()
    if run.forge == "github":
        from app.forges.github.client import GitHubForge

        return GitHubForge(run.api_url, token=token, bot=run.bot or None)
    from app.forges.gitlab.client import GitLabForge

    return GitLabForge(run.api_url, token=token)


def intakes(settings: Settings) -> list[Intake]:
    # Only the web service takes deliveries: a `stackgate worker` starts without FastAPI.
    from app.webhooks.routes import github_intake, gitlab_intake

    found = []
    if settings.github_webhook_secret is not None:
        found.append(github_intake(settings.github_webhook_secret.get_secret_value()))
    if settings.gitlab_webhook_token is not None:
        found.append(gitlab_intake(settings.gitlab_webhook_token.get_secret_value()))
    return found


def build_services(settings: Settings, given: dict[str, Forge] | None = None) -> Services:
    return Services(
        settings=settings,
        sessions=open_store(settings.database_url),
        forges=given if given is not None else forges(settings),
        clouds=Clouds(settings),
        engine=engine_for(settings.opa_url, settings.policy_timeout),
    )


def build_worker(
    services: Services, threads: int, poll: float = 0.5, retry: RetryPolicy | None = None
) -> Worker:
    return Worker(
        services.sessions,
        handler(services),
        classify,
        reporter(services),
        threads=threads,
        poll=poll,
        retry=retry,
        tick=lambda: (schedule(services), overdue_locks(services.sessions, services.settings)),
        lease=timedelta(seconds=services.settings.job_lease),
        on_retry=retrying(services),
    )
