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


@contextmanager
def postgres_server() -> Iterator[str]:
    """Yield a SQLAlchemy URL of a fresh, empty database; the server is gone afterwards."""
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
    _run(
        [
            str(bindir / "pg_ctl"),
            "-D",
            str(data),
            "-o",
            options,
            "-l",
            str(home / "log"),
            "-w",
            "start",
        ],
        as_postgres,
    )
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.1)
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        _run([str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"], as_postgres)
        shutil.rmtree(home, ignore_errors=True)
