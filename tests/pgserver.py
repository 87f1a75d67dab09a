"""A throwaway PostgreSQL server for the store tests and the benchmark.

pytest-postgresql cannot start a server when the tests run as root (initdb refuses), which is
how CI containers run; this starts one as the ``postgres`` user in that case.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from app.background import free_port


def _bindir() -> Path:
    for candidate in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if Path(candidate, "initdb").exists():
            return Path(candidate)
    found = shutil.which("initdb")
    if found:
        return Path(found).parent
    raise RuntimeError("PostgreSQL is not installed (make test installs it from Debian packages)")


def _run(command: list[str], as_postgres: bool) -> None:
    prefix = ["runuser", "-u", "postgres", "--"] if as_postgres else []
    subprocess.run(prefix + command, check=True, capture_output=True)


@dataclass(frozen=True)
class PostgresServer:
    """A running server: its URL, and a real restart (the fault tests use it)."""

    url: str
    pg_ctl: list[str]  # pg_ctl -D <data>, run as the server's user
    as_postgres: bool

    def restart(self, down: float = 0.0) -> None:
        """Stop the server (fast: every session is cut), stay down ``down`` seconds, and start
        it again on the same port."""
        _run([*self.pg_ctl, "-m", "fast", "-w", "stop"], self.as_postgres)
        time.sleep(down)
        _run([*self.pg_ctl, "-w", "start"], self.as_postgres)


@contextmanager
def postgres_server() -> Iterator[str]:
    """Yield a SQLAlchemy URL of a fresh, empty database; the server is gone afterwards."""
    with postgres() as server:
        yield server.url


@contextmanager
def postgres() -> Iterator[PostgresServer]:
    """A fresh server with an empty database; gone afterwards."""
    bindir, port = _bindir(), free_port(0)
    as_postgres = os.geteuid() == 0
    home = Path(tempfile.mkdtemp(prefix="stackgate-pg-"))
    data = home / "data"
    if as_postgres:
        shutil.chown(home, "postgres")
    _run([str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust"], as_postgres)
    options = (
        f"-p {port} -k {home} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200"
    )
    pg_ctl = [str(bindir / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(home / "log")]
    _run([*pg_ctl, "-w", "start"], as_postgres)
    try:
        _wait_listening(port)
        url = f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
        yield PostgresServer(url, pg_ctl, as_postgres)
    finally:
        _run([*pg_ctl, "-m", "immediate", "stop"], as_postgres)
        shutil.rmtree(home, ignore_errors=True)


def _wait_listening(port: int) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
