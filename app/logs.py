"""Logs: one JSON object per line (or plain text), each carrying the job, delivery and pull
request it is about, so one PR's story can be pulled out of many workers' output.

Context is set with ``about(...)`` around a unit of work and reaches every record logged
inside it, from any module. Nothing secret is ever put in context or messages: tokens and
keys live in SecretStr settings and CloudStack requests are redacted before logging.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from types import MappingProxyType
from typing import Literal, TextIO

from pythonjsonlogger.json import JsonFormatter

LogFormat = Literal["json", "text"]
_CONTEXT: ContextVar[Mapping[str, object]] = ContextVar(
    "stackgate_log_context", default=MappingProxyType({})
)


@contextmanager
def about(**fields: object) -> Iterator[None]:
    """Every record logged inside carries ``fields`` (job, delivery, forge, repo, pr, …)."""
    token = _CONTEXT.set({**_CONTEXT.get(), **fields})
    try:
        yield
    finally:
        _CONTEXT.reset(token)


class _Context(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        for key, value in _CONTEXT.get().items():
            setattr(record, key, value)
        return True


def _rfc3339(formatter: logging.Formatter) -> logging.Formatter:
    """Times as RFC 3339 in UTC to the millisecond (2026-12-06T15:31:25.489Z): unambiguous
    across machines and zones, and what log stores and ``datetime.fromisoformat`` parse."""
    formatter.converter = time.gmtime
    formatter.default_time_format = "%Y-%m-%dT%H:%M:%S"
    formatter.default_msec_format = "%s.%03dZ"
    return formatter


def configure(
    fmt: LogFormat = "json", level: str = "INFO", stream: TextIO | None = None
) -> logging.Handler:
    """stackgate's (and uvicorn's) records to ``stream`` (stderr) in ``fmt``."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.addFilter(_Context())
    line = "%(asctime)s %(levelname)s %(name)s %(message)s"
    formatter = (
        JsonFormatter(
            line, rename_fields={"asctime": "time", "levelname": "level", "name": "logger"}
        )
        if fmt == "json"
        else logging.Formatter(line)
    )
    handler.setFormatter(_rfc3339(formatter))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):  # one format for all lines
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
    return handler
