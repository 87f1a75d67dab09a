"""Log lines carry RFC 3339 UTC timestamps in both formats, whatever the machine's zone."""

from __future__ import annotations

import io
import json
import logging
import os
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from app.logs import LogFormat, configure

AT = datetime(2026, 12, 6, 15, 31, 25, 489000, tzinfo=UTC)


@pytest.fixture(autouse=True)
def elsewhere() -> Iterator[None]:
    """A local zone far from UTC, so a local timestamp cannot pass for a UTC one."""
    root = logging.getLogger()
    kept = (root.handlers[:], root.level, os.environ.get("TZ"))
    os.environ["TZ"] = "Asia/Kolkata"
    time.tzset()
    yield
    root.handlers[:] = kept[0]
    root.setLevel(kept[1])
    if kept[2] is None:
        del os.environ["TZ"]
    else:
        os.environ["TZ"] = kept[2]
    time.tzset()


def stamp(fmt: LogFormat, line: str) -> str:
    return str(json.loads(line)["time"]) if fmt == "json" else line.split(" ", 1)[0]


@pytest.mark.parametrize("fmt", ["json", "text"])
def test_a_record_is_stamped_in_utc_to_the_millisecond(fmt: LogFormat) -> None:
    handler = configure(fmt, "INFO", io.StringIO())
    record = logging.makeLogRecord(
        {"msg": "hello", "levelname": "INFO", "created": AT.timestamp(), "msecs": 489.0}
    )
    assert stamp(fmt, handler.format(record)) == "2026-12-06T15:31:25.489Z"


@pytest.mark.parametrize("fmt", ["json", "text"])
def test_every_line_parses_as_an_aware_utc_time(fmt: LogFormat) -> None:
    stream = io.StringIO()
    configure(fmt, "DEBUG", stream)
    before = datetime.now(UTC)
    logging.getLogger("stackgate.test").info("one")
    logging.getLogger("uvicorn.error").warning("two")
    lines = stream.getvalue().splitlines()
    assert len(lines) == 2
    for line in lines:
        at = datetime.fromisoformat(stamp(fmt, line))
        assert at.tzinfo is not None and at.utcoffset() == timedelta(0)
        assert abs(at - before) < timedelta(seconds=5)
