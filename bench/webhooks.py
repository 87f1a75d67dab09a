"""5,000 signed GitHub deliveries at concurrency 50 against `stackgate serve`, on SQLite and on
PostgreSQL, beside a bare FastAPI endpoint that only answers 202 (the framework's floor),
measured in the same run. Prints throughput, p50/p99 time to answer and deliveries lost;
then the p99 of the same endpoints at a steady 200 deliveries/s, open loop (each delivery sent
on its schedule whether or not earlier ones were answered, its time counted from then), and
the server process's CPU per delivery in the first run, which depends less than throughput on
what else the machine is doing (the database's own processes are not counted).

The worker is off (STACKGATE_WORKER_THREADS=0): this measures the edge — verify, parse,
record delivery and job in one transaction, answer — not the planning behind it. The clients
are bench/poster.py, whose cost per request does not grow with the requests in flight.
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
from bench.poster import Poster
from tests.pgserver import postgres_server

DELIVERIES = int(os.environ.get("BENCH_DELIVERIES", "5000"))
CONCURRENCY = 50
CLIENTS = 5  # processes, CONCURRENCY // CLIENTS connections each
RATE, STEADY_SECONDS = 200, 10  # the open-loop run: deliveries per second, for how long
SECRET = "bench-secret"
PAYLOAD = Path(__file__).parents[1] / "tests" / "payloads" / "github" / "pull_request.opened.json"


@dataclass
class Result:
    name: str
    seconds: float
    latencies: list[float]
    accepted: int
    steady: list[float]  # open loop at RATE/s: time from each delivery's schedule to its answer
    cpu: float  # seconds of the server process's CPU in the closed-loop run (not its database's)

    @property
    def throughput(self) -> float:
        return len(self.latencies) / self.seconds

    def percentile(self, share: float, steady: bool = False) -> float:
        ordered = sorted(self.steady if steady else self.latencies)
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _cpu_seconds(pid: int) -> float:
    """User and system CPU a process has used so far (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextmanager
def serving(
    command: list[str], env: dict[str, str], port: int
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
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
            yield f"http://127.0.0.1:{port}", process
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


def _requests(share: int, offset: int) -> list[tuple[bytes, dict[str, str]]]:
    template = json.loads(PAYLOAD.read_text())
    requests = []
    for n in range(offset, offset + share):
        template["number"] = template["pull_request"]["number"] = n % 500 + 1
        requests.append(_request(json.dumps(template).encode()))
    return requests


async def _fire(base: str, share: int, offset: int) -> tuple[list[float], int]:
    requests = _requests(share, offset)
    latencies: list[float] = []
    accepted = 0
    poster = Poster(base)

    async def stream() -> None:
        nonlocal accepted
        while requests:
            body, headers = requests.pop()
            start = time.perf_counter()
            status = await poster.post("/webhooks/github", body, headers)
            latencies.append(time.perf_counter() - start)
            accepted += status == 202

    await asyncio.gather(*(stream() for _ in range(CONCURRENCY // CLIENTS)))
    await poster.close()
    return latencies, accepted


def _client(base: str, share: int, offset: int) -> tuple[list[float], int]:
    return asyncio.run(_fire(base, share, offset))


async def _steady(base: str, rate: float, count: int, offset: int) -> list[float]:
    """Deliveries sent on a fixed schedule, each on a connection of its own while it is out
    (a new one when none is free), open loop."""
    requests = _requests(count, offset)
    poster = Poster(base)

    async def send(due: float, body: bytes, headers: dict[str, str]) -> float:
        await asyncio.sleep(max(0.0, due - time.perf_counter()))
        status = await poster.post("/webhooks/github", body, headers)
        assert status in (200, 202), status
        return time.perf_counter() - due  # late sends count against the service too

    start = time.perf_counter() + 0.5
    sends = (send(start + n / rate, *item) for n, item in enumerate(requests))
    latencies = list(await asyncio.gather(*sends))
    await poster.close()
    return latencies


def _steady_client(base: str, count: int, offset: int) -> list[float]:
    # Two processes at half the rate each: one Python client is not always on time at 200/s.
    return asyncio.run(_steady(base, RATE / 2, count, offset))


def run(name: str, command: list[str], env: dict[str, str]) -> Result:
    port = _free_port()
    share = DELIVERIES // CLIENTS
    # One Python client cannot keep a server busy; several processes can.
    with (
        serving([*command, "--port", str(port)], env, port) as (base, process),
        ProcessPoolExecutor(CLIENTS) as pool,
    ):
        start, cpu = time.perf_counter(), _cpu_seconds(process.pid)
        parts = list(
            pool.map(
                _client,
                [base] * CLIENTS,
                [share] * CLIENTS,
                [n * share for n in range(CLIENTS)],
            )
        )
        seconds, cpu = time.perf_counter() - start, _cpu_seconds(process.pid) - cpu
        count = RATE * STEADY_SECONDS // 2
        steady = pool.map(_steady_client, [base] * 2, [count] * 2, [DELIVERIES, DELIVERIES + count])
        steady_latencies = [value for part in steady for value in part]
    latencies = [value for part, _ in parts for value in part]
    accepted = sum(accepted for _, accepted in parts)
    return Result(name, seconds, latencies, accepted, steady_latencies, cpu)


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
    print(f"webhooks: then {RATE}/s for {STEADY_SECONDS} s, open loop (steady p50/p99)")
    head = f"{'endpoint':24} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'lost':>5} {'vs floor':>9}"
    print(f"{head} {'steady p50':>11} {'p99 ms':>8} {'CPU ms/delivery':>16}")
    for result, stored in rows:
        sent = DELIVERIES + len(result.steady)
        lost = "" if stored is None else str(sent - stored)
        ratio = floor.throughput / result.throughput
        print(
            f"{result.name:24} {result.throughput:8.0f} {result.percentile(0.5):8.1f} "
            f"{result.percentile(0.99):8.1f} {lost:>5} {ratio:8.2f}x "
            f"{result.percentile(0.5, steady=True):11.1f} {result.percentile(0.99, True):8.1f} "
            f"{result.cpu * 1000 / DELIVERIES:16.2f}"
        )


if __name__ == "__main__":
    main()
