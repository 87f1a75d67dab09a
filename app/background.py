"""Serve an ASGI app on a background thread: the sandbox, the forge fakes, the benchmarks."""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass
from typing import Any

import uvicorn


@dataclass
class BackgroundServer:
    server: uvicorn.Server
    thread: threading.Thread
    base_url: str  # http://host:port, no trailing slash

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def serve_in_background(
    asgi: Any, name: str, host: str = "127.0.0.1", port: int = 0, **options: Any
) -> BackgroundServer:
    """Start ``asgi`` on a free port (0) and return once it accepts connections."""
    options.setdefault("lifespan", "off")
    config = uvicorn.Config(asgi, host=host, port=port, log_level="warning", **options)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name=name, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError(f"{name} did not start")
        time.sleep(0.01)
    bound = server.servers[0].sockets[0].getsockname()
    return BackgroundServer(server, thread, f"http://{host}:{bound[1]}")


def free_port(wanted: int) -> int:
    """``wanted`` when nothing listens there, else any free port."""
    for candidate in (wanted, 0):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", candidate))
            except OSError:
                continue
            port: int = probe.getsockname()[1]
            return port
    raise OSError("no free port on 127.0.0.1")
