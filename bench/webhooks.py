"""5,000 signed GitHub deliveries at concurrency 50 against `stackgate serve`, on SQLite and on
PostgreSQL, beside a bare FastAPI endpoint that only answers 202 (the framework's floor),
measured in the same run. Prints throughput, p50/p99 time to answer and deliveries lost.

The worker is off (STACKGATE_WORKER_THREADS=0): this measures the edge — verify, parse,
record delivery and job in one transaction, answer — not the planning behind it.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
from sqlalchemy import func, select

from app.store.database import open_store
from app.store.tables import Delivery
from tests.pgserver import postgres_server

DELIVERIES = int(os.environ.get("BENCH_DELIVERIES", "5000"))
CONCURRENCY = 50
CLIENTS = 5  # processes, CONCURRENCY // CLIENTS connections each
SECRET = "bench-secret"
PAYLOAD = Path(__file__).parents[1] / "tests" / "payloads" / "github" / "pull_request.opened.json"


@dataclass
class Result:
    name: str
    seconds: float
    latencies: list[float]
    accepted: int

    @property
    def throughput(self) -> float:
        return len(self.latencies) / self.seconds

    def percentile(self, share: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def serving(command: list[str], env: dict[str, str], port: int) -> Iterator[str]:
    # The service logs every delivery: a pipe nobody drains would fill and stall it.
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(
            command, env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=log
        )
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code < 500:
                        break
                except httpx.HTTPError:
                    pass
                if process.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    raise RuntimeError(f"server did not start: {log.read()[-2000:]!r}")
                time.sleep(0.1)
            yield f"http://127.0.0.1:{port}"
        finally:
            process.terminate()
            process.wait(timeout=30)


def _request(body: bytes) -> tuple[bytes, dict[str, str]]:
    headers = {
        "Content-Type": "application/json",
        "X-GitHub-Event": "pull_request",
        "X-GitHub-Delivery": str(uuid.uuid4()),
        "X-Hub-Signature-256": "sha256="
        + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest(),
    }
    return body, headers


async def _fire(base: str, share: int, offset: int) -> tuple[list[float], int]:
    template = json.loads(PAYLOAD.read_text())
    requests = []
    for n in range(offset, offset + share):
        template["number"] = template["pull_request"]["number"] = n % 500 + 1
        requests.append(_request(json.dumps(template).encode()))
    latencies: list[float] = []
    accepted = 0
    queue: asyncio.Queue[tuple[bytes, dict[str, str]]] = asyncio.Queue()
    for item in requests:
        queue.put_nowait(item)
    streams = CONCURRENCY // CLIENTS
    limits = httpx.Limits(max_connections=streams, max_keepalive_connections=streams)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60) as client:

        async def worker() -> None:
            nonlocal accepted
            while not queue.empty():
                body, headers = queue.get_nowait()
                start = time.perf_counter()
                answer = await client.post("/webhooks/github", content=body, headers=headers)
                latencies.append(time.perf_counter() - start)
                accepted += answer.status_code == 202

        await asyncio.gather(*(worker() for _ in range(streams)))
        return latencies, accepted


def _client(base: str, share: int, offset: int) -> tuple[list[float], int]:
    return asyncio.run(_fire(base, share, offset))


def run(name: str, command: list[str], env: dict[str, str]) -> Result:
    port = _free_port()
    share = DELIVERIES // CLIENTS
    # One Python client cannot keep a server busy; several processes can.
    with (
        serving([*command, "--port", str(port)], env, port) as base,
        ProcessPoolExecutor(CLIENTS) as pool,
    ):
        start = time.perf_counter()
        parts = list(
            pool.map(
                _client,
                [base] * CLIENTS,
                [share] * CLIENTS,
                [n * share for n in range(CLIENTS)],
            )
        )
        seconds = time.perf_counter() - start
    latencies = [value for part, _ in parts for value in part]
    return Result(name, seconds, latencies, sum(accepted for _, accepted in parts))


def stackgate(name: str, database: str) -> tuple[Result, int]:
    env = {
        "STACKGATE_DATABASE_URL": database,
        "STACKGATE_WORKER_THREADS": "0",
        "STACKGATE_GITHUB_WEBHOOK_SECRET": SECRET,
        "STACKGATE_GITHUB_TOKEN": "bench-token-never-used",
        "STACKGATE_GITHUB_API_URL": "http://127.0.0.1:9",
    }
    command = [sys.executable, "-m", "app", "serve", "--host", "127.0.0.1"]
    result = run(name, command, env)
    sessions = open_store(database)
    with sessions() as session:
        stored = session.scalar(select(func.count()).select_from(Delivery)) or 0
    sessions.kw["bind"].dispose()
    return result, stored


def main() -> None:
    floor_command = [
        sys.executable,
        "-m",
        "uvicorn",
        "bench.floor_app:app",
        "--host",
        "127.0.0.1",
        "--log-level",
        "warning",
    ]
    floor = run("bare FastAPI 202", floor_command, {})
    rows: list[tuple[Result, int | None]] = [(floor, None)]
    with tempfile.TemporaryDirectory() as folder:
        rows.append(stackgate("stackgate, SQLite", f"sqlite:///{folder}/bench.db"))
    with postgres_server() as url:
        rows.append(stackgate("stackgate, PostgreSQL", url))
    print(f"webhooks: {DELIVERIES} signed deliveries, concurrency {CONCURRENCY}")
    print(f"{'endpoint':24} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'lost':>5} {'vs floor':>9}")
    for result, stored in rows:
        lost = "" if stored is None else str(DELIVERIES - stored)
        ratio = floor.throughput / result.throughput
        print(
            f"{result.name:24} {result.throughput:8.0f} {result.percentile(0.5):8.1f} "
            f"{result.percentile(0.99):8.1f} {lost:>5} {ratio:8.2f}x"
        )


if __name__ == "__main__":
    main()
