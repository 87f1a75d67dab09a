"""The whole-suite secrets scan: every secret a test configures, against all stackgate says.

Loaded for every pytest run (tests/conftest.py). Secrets are registered where they come to
be: every Settings (its SecretStr values, cloud keys included), every sandbox cloud (its API
and secret keys), the forge fakes' tokens and App key, and the constants tests hand to the
processes they start. Texts are scanned as they pass, on these channels:

- ``log``: every record any logger hands to its handlers, after the loggers' own filters
  (the root logger is set to DEBUG, so the chattiest level is what is checked);
- ``forge``: every body stackgate sends to a forge fake: comments, statuses, issues, reviews;
- ``answer``: every response of the stackgate app: webhook answers, the dashboard, metrics;
- ``process``: everything a stackgate process started by a test printed or logged;
- ``notify``: every notification stackgate sends to a receiver, body and headers.

The last test of the session (moved there by ``pytest_collection_modifyitems``) fails on any
hit, naming the channel and the secret's kind, never its value.
"""

from __future__ import annotations

import logging
import re
import subprocess
import threading
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, SecretStr

MIN_LENGTH = 8  # shorter "secrets" (a test's "wrong") would match ordinary words
CHANNELS = ("log", "forge", "answer", "process", "notify")


@dataclass(frozen=True)
class Leak:
    channel: str
    where: str
    secret: str  # the kind of secret (a setting's name, "sandbox api key"), never the value


@dataclass
class Scanner:
    secrets: dict[str, str] = field(default_factory=dict)  # value → its kind
    seen: Counter[str] = field(default_factory=Counter)  # channel → texts scanned
    leaks: list[Leak] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def secret(self, kind: str, value: str | None) -> None:
        if value and len(value) >= MIN_LENGTH:
            with self._lock:
                self.secrets.setdefault(value, kind)
            for line in value.splitlines():  # a PEM leaks a line at a time as well
                if len(line) >= 40 and line != value:
                    with self._lock:
                        self.secrets.setdefault(line, kind)

    def settings(self, model: BaseModel, prefix: str = "") -> None:
        """Register every SecretStr a settings object (or a nested one) holds."""
        for name, value in model:
            self._value(prefix + name, value)

    def _value(self, name: str, value: object) -> None:
        if isinstance(value, SecretStr):
            self.secret(name, value.get_secret_value())
        elif name.endswith("_file") and isinstance(value, Path) and value.is_file():
            self.secret(name, value.read_text(encoding="utf-8").strip())  # a key given by file
        elif isinstance(value, BaseModel):
            self.settings(value, name + ".")
        elif isinstance(value, dict):
            for key, item in value.items():
                self._value(f"{name}.{key}", item)
        elif isinstance(value, list):  # notification receivers, each with its URL and secret
            for index, item in enumerate(value):
                self._value(f"{name}[{index}]", item)

    def observe(self, channel: str, text: str, where: str = "") -> None:
        with self._lock:
            self.seen[channel] += 1
            known = list(self.secrets.items())
        for value, kind in known:
            if value in text:
                with self._lock:
                    self.leaks.append(Leak(channel, where, kind))

    def observe_all(self, channel: str, texts: Iterable[str], where: str = "") -> None:
        for text in texts:
            self.observe(channel, text, where)


SCANNER = Scanner()


def watch_logs(scanner: Scanner) -> None:
    """Scan each record as the logging machinery hands it to handlers (after logger filters,
    which is where CloudStack's query redaction sits)."""
    original = logging.Logger.callHandlers
    formatter = logging.Formatter()

    def call_handlers(self: logging.Logger, record: logging.LogRecord) -> None:
        text = record.getMessage()
        if record.exc_info:
            text += "\n" + formatter.formatException(record.exc_info)
        extras = {k: v for k, v in vars(record).items() if k not in _STANDARD}
        scanner.observe("log", f"{text} {extras}", record.name)
        original(self, record)

    logging.Logger.callHandlers = call_handlers  # type: ignore[method-assign]
    logging.getLogger().setLevel(logging.DEBUG)


_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}

Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
App = Callable[[MutableMapping[str, Any], Receive, Send], Awaitable[None]]


class ScannedAnswers:
    """Middleware: every response body the app sends, scanned on the ``answer`` channel."""

    def __init__(self, app: App, scanner: Scanner = SCANNER) -> None:
        self.app, self.scanner = app, scanner

    async def __call__(self, scope: MutableMapping[str, Any], receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []

        async def sending(message: MutableMapping[str, Any]) -> None:
            if message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                if not message.get("more_body"):
                    body = b"".join(chunks).decode("utf-8", "replace")
                    self.scanner.observe("answer", body, scope.get("path", ""))
            await send(message)

        await self.app(scope, receive, sending)


def watch(scanner: Scanner) -> None:
    """Wire the scan in; before any test module (or lower conftest) imports what it wraps."""
    import app.main
    import app.sandbox.commands.cks_nodes
    from app.config import Settings
    from app.notify.sending import Courier
    from app.sandbox.api import Api

    watch_logs(scanner)
    watch_processes(scanner)

    settings_init = Settings.__init__
    settings_validate = Settings.model_validate

    def init(self: Settings, *args: Any, **kwargs: Any) -> None:
        settings_init(self, *args, **kwargs)
        scanner.settings(self)

    def validate(obj: Any, **kwargs: Any) -> Settings:
        made = settings_validate(obj, **kwargs)
        scanner.settings(made)
        return made

    Settings.__init__ = init  # type: ignore[method-assign, assignment]
    Settings.model_validate = validate  # type: ignore[method-assign]

    api_init = Api.__init__

    def sandbox(self: Api, *args: Any, **kwargs: Any) -> None:
        api_init(self, *args, **kwargs)
        scanner.secret("sandbox api key", self.state.api_key)
        scanner.secret("sandbox secret key", self.state.secret_key)

    Api.__init__ = sandbox  # type: ignore[method-assign]

    make_kubeconfig = app.sandbox.commands.cks_nodes.kubeconfig

    def kubeconfig(cluster: Any) -> str:  # a cluster's kubeconfig, with its token, is a secret
        made = make_kubeconfig(cluster)
        scanner.secret("kubeconfig", made)
        return made

    app.sandbox.commands.cks_nodes.kubeconfig = kubeconfig

    post = Courier.post

    def notified(self: Courier, url: str, body: bytes, headers: Any) -> Any:
        scanner.observe("notify", f"{body.decode('utf-8', 'replace')} {dict(headers)}", "notify")
        return post(self, url, body, headers)

    Courier.post = notified  # type: ignore[method-assign]

    create_app = app.main.create_app

    def scanned_app(*args: Any, **kwargs: Any) -> Any:
        made = create_app(*args, **kwargs)
        made.add_middleware(ScannedAnswers, scanner=scanner)
        return made

    app.main.create_app = scanned_app


def watch_processes(scanner: Scanner) -> None:
    """Register the secrets tests hand to the processes they start, by environment name."""
    original = subprocess.Popen.__init__

    def init(self: subprocess.Popen[Any], *args: Any, **kwargs: Any) -> None:
        for name, value in (kwargs.get("env") or {}).items():
            if SECRET_NAME.search(name):
                scanner.secret(name, value)
        original(self, *args, **kwargs)

    subprocess.Popen.__init__ = init  # type: ignore[method-assign]


SECRET_NAME = re.compile(r"SECRET|TOKEN|KEY|PASSWORD", re.IGNORECASE)


def printed(done: subprocess.CompletedProcess[str], where: str) -> subprocess.CompletedProcess[str]:
    """A finished process's output, scanned on the ``process`` channel."""
    SCANNER.observe("process", f"{done.stdout}\n{done.stderr}", where)
    return done


def printed_to(path: Path, where: str) -> None:
    """A process's output file (or log), scanned on the ``process`` channel."""
    SCANNER.observe("process", path.read_text(encoding="utf-8", errors="replace"), where)
