"""A real HTTP receiver on a free local port, answering as a test scripts it, keeping what came."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def document(self) -> Any:
        return json.loads(self.body)

    def signed_with(self, secret: str) -> bool:
        """What a receiver does: HMAC-SHA256 of the raw body, compared in constant time."""
        digest = hmac.new(secret.encode(), self.body, hashlib.sha256).hexdigest()
        given = self.headers.get("X-Stackgate-Signature-256", "")
        return hmac.compare_digest(given, f"sha256={digest}")


@dataclass
class Receiver:
    """``answers``: the status of each request in turn (the last one repeats); 302 redirects
    back to the same path, a loop; ``delay``: seconds to wait before answering."""

    answers: list[int] = field(default_factory=lambda: [200])
    delay: float = 0.0
    received: list[Received] = field(default_factory=list)
    url: str = ""

    def answer(self) -> int:
        return self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]


@contextmanager
def receiving(answers: list[int] | None = None, delay: float = 0.0) -> Iterator[Receiver]:
    receiver = Receiver(answers or [200], delay)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            receiver.received.append(Received(self.path, dict(self.headers), body))
            time.sleep(receiver.delay)
            status = receiver.answer()
            self.send_response(status)
            if status in (301, 302, 307, 308):
                self.send_header("Location", self.path)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:  # quiet test output
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    thread = threading.Thread(target=server.serve_forever, name="notify-receiver", daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
