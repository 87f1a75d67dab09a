"""A flood of large unsigned bodies against `stackgate serve` in its own process: every one
refused, memory bounded, and a signed delivery sent in the middle still accepted."""

from __future__ import annotations

import hashlib
import hmac
import os
import select
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from app.background import free_port
from tests.fakes.github_json import PAYLOADS

SECRET = "flood-secret"
MIB = 1 << 20
BODY = 100 * MIB  # what each unsigned sender offers
SENDERS = 50
RSS_LIMIT = 300 * MIB
PIECE = b"x" * MIB


@pytest.fixture
def service(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    port = free_port(0)
    env = {
        **os.environ,
        "STACKGATE_DATABASE_URL": f"sqlite:///{tmp_path / 'stackgate.db'}",
        "STACKGATE_WORKER_THREADS": "0",
        "STACKGATE_GITHUB_WEBHOOK_SECRET": SECRET,
        "STACKGATE_GITHUB_TOKEN": "unused",
        "STACKGATE_GITHUB_API_URL": "http://127.0.0.1:9",
        "STACKGATE_LOG_LEVEL": "WARNING",
        "TMPDIR": str(tmp_path),  # where unproven bodies are spooled
    }
    stackgate = Path(sys.executable).parent / "stackgate"
    process = subprocess.Popen(
        [str(stackgate), "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            if httpx.get(f"{base}/healthz").status_code == 200:
                break
        except httpx.TransportError:
            pass
        assert time.monotonic() < deadline and process.poll() is None, "serve did not start"
        time.sleep(0.1)
    try:
        yield process, base
    finally:
        process.terminate()
        process.wait(timeout=10)


def _rss(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


class Peak:
    """The highest RSS of a process, sampled on a thread while the flood runs."""

    def __init__(self, pid: int) -> None:
        self.pid, self.peak, self.done = pid, _rss(pid), threading.Event()
        self.thread = threading.Thread(target=self._sample, daemon=True)
        self.thread.start()

    def _sample(self) -> None:
        while not self.done.wait(0.02):
            self.peak = max(self.peak, _rss(self.pid))

    def stop(self) -> int:
        self.done.set()
        self.thread.join()
        return self.peak


def _unsigned(port: int, kind: str) -> int:
    """Offer a 100 MiB body the way ``kind`` says; the status the service answered.

    A raw socket, because the service hangs up on the rest of the body: an HTTP client
    would report the reset, while the answer already sits in the socket to be read."""
    head = [
        "POST /webhooks/github HTTP/1.1",
        f"Host: 127.0.0.1:{port}",
        "X-GitHub-Event: push",
        "Content-Type: application/json",
    ]
    if kind == "declared":  # a length over the limit, said up front
        head += [f"Content-Length: {BODY}", "X-Hub-Signature-256: sha256=" + "0" * 64]
    elif kind == "streamed":  # no length, and a signature that looks right until the end
        head += ["Transfer-Encoding: chunked", "X-Hub-Signature-256: sha256=" + "0" * 64]
    else:  # no length and no signature at all
        head += ["Transfer-Encoding: chunked"]
    piece = PIECE if kind == "declared" else b"%x\r\n%b\r\n" % (len(PIECE), PIECE)
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(("\r\n".join(head) + "\r\n\r\n").encode())
        try:
            for _ in range(BODY // len(PIECE)):
                if select.select([sock], [], [], 0)[0]:
                    break  # answered already
                sock.sendall(piece)
        except OSError:
            pass  # the service hung up on the rest, as it should
        status = sock.recv(64)
    return int(status.split()[1])


def _signed(base: str) -> int:
    time.sleep(0.5)  # the flood is under way
    body = (PAYLOADS / "pull_request.opened.json").read_bytes()
    digest = hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    headers = {
        "X-GitHub-Event": "pull_request",
        "X-GitHub-Delivery": "in-the-middle",
        "X-Hub-Signature-256": f"sha256={digest}",
    }
    return httpx.post(f"{base}/webhooks/github", content=body, headers=headers).status_code


def test_a_flood_of_large_unsigned_bodies_is_refused_in_bounded_memory(
    service: tuple[subprocess.Popen[bytes], str],
) -> None:
    process, base = service
    peak = Peak(process.pid)
    started = time.monotonic()
    with ThreadPoolExecutor(SENDERS) as pool:
        kinds = ["declared", "streamed", "bare"]
        port = int(base.rsplit(":", 1)[1])
        sent = [pool.submit(_unsigned, port, kinds[n % len(kinds)]) for n in range(SENDERS)]
        accepted = _signed(base)
        refused = [future.result() for future in sent]
    took = time.monotonic() - started
    highest = peak.stop()
    assert sorted(set(refused)) == [401, 413], refused
    assert refused.count(401) == SENDERS // 3  # the bare ones, before a byte was read
    assert accepted == 202  # a signed delivery in the middle of it all is still queued
    assert highest < RSS_LIMIT, f"the service grew to {highest // MIB} MiB"
    assert took < 60
    assert httpx.get(f"{base}/healthz").status_code == 200
