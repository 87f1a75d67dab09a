"""A stackgate's store and worker with notification receivers, no forge: notices go in with
the hooks or ``announce``, the worker sends them to local receivers."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.config import Settings
from app.flows.services import Services
from app.jobs.worker import RetryPolicy, Worker
from app.notify.model import Notice
from app.notify.queueing import announce
from app.service import build_services, build_worker

SECRET = "notify-signing-secret-for-tests"
FAILED = Notice(
    "apply.failed",
    "apply:github:acme/infra:7",
    "Apply of acme/infra pull request #3 failed: 1 of 2 change(s) applied",
    "github",
    "acme/infra",
    3,
    ("payments/instance/web-1: insufficient capacity <zone-a>", "To retry, comment it"),
    {"run": 7, "retry": "/stackgate apply"},
)


def receiver(name: str, url: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "url": url, "format": "json", "secret": SECRET} | extra


@dataclass
class Notifying:
    services: Services
    worker: Worker

    def tell(self, notice: Notice = FAILED) -> int:
        with self.services.sessions.begin() as session:
            return announce(session, self.services.settings, notice)

    def drain(self) -> None:
        while self.worker.run_once():
            pass


@contextmanager
def notifying(tmp: Path, *receivers: dict[str, Any], **extra: Any) -> Iterator[Notifying]:
    settings = Settings.model_validate(
        {
            "database_url": f"sqlite:///{tmp / 'stackgate.db'}",
            "worker_threads": 0,
            "notify_receivers": list(receivers),
        }
        | extra
    )
    services = build_services(settings, given={})
    # Retries come at once in tests; the backoff itself is the worker's, tested there.
    worker = build_worker(services, threads=0, retry=RetryPolicy(attempts=3, base=0.0, cap=0.0))
    try:
        yield Notifying(services, worker)
    finally:
        services.sessions.kw["bind"].dispose()
