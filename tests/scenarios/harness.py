"""One running stackgate per scenario: the real app, real clients, a forge fake, the sandbox.

Deliveries go through the HTTP edge exactly as the host would send them (signed); the worker
is driven by hand (``drain``) so each step's effects are settled before the test looks.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import httpx
from sqlalchemy import select

from app.background import serve_in_background
from app.config import Settings
from app.flows.services import Services
from app.jobs.worker import RetryPolicy, Worker
from app.main import create_app
from app.service import build_services, build_worker
from tests.fakes.base import Delivery, ForgeFake

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "infra"
REPO = "acme/infra"
SECRET = "hook-secret-for-tests"
T = TypeVar("T")


def example_files() -> dict[str, bytes]:
    return {
        path.relative_to(EXAMPLE).as_posix(): path.read_bytes()
        for path in sorted(EXAMPLE.rglob("*"))
        if path.is_file()
    }


def forge_settings(fake: ForgeFake, database: Path, **extra: object) -> Settings:
    token: str = fake.token  # type: ignore[attr-defined]
    values: dict[str, object] = {"database_url": f"sqlite:///{database}", "worker_threads": 0}
    if fake.name == "github":
        values |= {
            "github_webhook_secret": SECRET,
            "github_token": token,
            "github_api_url": fake.api_url,
        }
    else:
        values |= {
            "gitlab_webhook_token": SECRET,
            "gitlab_token": token,
            "gitlab_url": fake.api_url,
        }
    return Settings.model_validate(values | extra)  # what the test gives wins (an App's key)


def signed(delivery: Delivery, secret: str = SECRET) -> dict[str, str]:
    headers = dict(delivery.headers)
    if delivery.path.endswith("github"):
        digest = hmac.new(secret.encode(), delivery.body, hashlib.sha256).hexdigest()
        headers["X-Hub-Signature-256"] = f"sha256={digest}"
    else:
        headers["X-Gitlab-Token"] = secret
    return headers


@dataclass
class Stackgate:
    fake: ForgeFake
    services: Services
    worker: Worker
    http: httpx.Client

    def send(self, delivery: Delivery, secret: str = SECRET) -> httpx.Response:
        return self.http.post(
            delivery.path, content=delivery.body, headers=signed(delivery, secret)
        )

    def deliver(self, delivery: Delivery) -> httpx.Response:
        """Send and let the worker finish everything that became due."""
        answer = self.send(delivery)
        self.drain()
        return answer

    def drain(self) -> None:
        while self.worker.run_once():
            pass

    def rows(self, table: type[T]) -> list[T]:
        with self.services.sessions() as session:
            return list(session.scalars(select(table)))


@contextmanager
def running(fake: ForgeFake, tmp: Path, **extra: object) -> Iterator[Stackgate]:
    settings = forge_settings(fake, tmp / "stackgate.db", **extra)
    services = build_services(settings)
    # Retries come at once in tests; the backoff itself is unit-tested.
    worker = build_worker(services, threads=0, retry=RetryPolicy(attempts=3, base=0.0, cap=0.0))
    served = serve_in_background(
        create_app(settings, services, worker), "stackgate-under-test", lifespan="on"
    )
    try:
        with httpx.Client(base_url=served.base_url, timeout=30) as http:
            yield Stackgate(fake, services, worker, http)
    finally:
        served.stop()
        services.sessions.kw["bind"].dispose()
