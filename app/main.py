"""create_app(): the FastAPI app — webhook routes, dashboard, health, metrics, in-process worker."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.metadata import version

from fastapi import FastAPI
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from sqlalchemy import text
from starlette.concurrency import run_in_threadpool

from app.config import Settings
from app.dashboard.routes import dashboard_router
from app.flows.services import Services
from app.jobs.worker import Worker
from app.metrics import REGISTRY, expect_deliveries, expect_plans
from app.service import build_services, build_worker, intakes
from app.store.metrics import StoreCollector
from app.webhooks.limit import BodyLimit
from app.webhooks.routes import webhook_router


def create_app(
    settings: Settings | None = None,
    services: Services | None = None,
    worker: Worker | None = None,
) -> FastAPI:
    """The service; tests pass their own services (fake forges) and worker."""
    settings = settings or Settings()
    services = services or build_services(settings)
    if worker is None and settings.worker_threads > 0:
        worker = build_worker(services, settings.worker_threads)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if worker is not None:
            worker.start()
        try:
            yield
        finally:
            if worker is not None:
                await run_in_threadpool(worker.stop)
            services.engine.close()
            services.clouds.close()

    app = FastAPI(title="stackgate", version=version("stackgate"), lifespan=lifespan, docs_url=None)
    app.add_middleware(BodyLimit, limit=settings.webhook_body_limit)
    wake = worker.wake.set if worker is not None else lambda: None
    edges = intakes(settings)
    app.include_router(webhook_router(services.sessions, edges, wake))
    app.include_router(dashboard_router(services.sessions, settings))

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz")
    def readyz() -> JSONResponse:
        try:
            with services.sessions() as session:
                session.execute(text("SELECT 1"))
        except Exception as error:  # not ready is an answer, not a crash
            return JSONResponse({"status": "store unreachable", "error": type(error).__name__}, 503)
        if worker is not None and not all(t.is_alive() for t in worker.threads):
            return JSONResponse({"status": "worker stopped"}, 503)
        return JSONResponse({"status": "ready", "forges": sorted(services.forges)})

    store = CollectorRegistry(auto_describe=True)
    store.register(StoreCollector(services.sessions, services.forges))
    expect_deliveries(edge.forge for edge in edges)
    expect_plans(services.forges)

    @app.get("/metrics")
    def metrics() -> Response:
        body = generate_latest(REGISTRY) + generate_latest(store)
        return Response(body, media_type=CONTENT_TYPE_LATEST)

    return app
