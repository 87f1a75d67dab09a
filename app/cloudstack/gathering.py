"""Reads sent side by side on one client: the cloud's bound on requests in flight, and a
failed read stopping the requests its gather has not sent yet.

The bound is taken per request, not per read, so a read that gathers reads of its own (a
cloud's projects, then their members) never holds a place while it waits for them. A gather
that failed sends nothing more, nor does any gather within it: as when the reads went one
after another, an outage costs the reads already on the wire, not every read of the plan.
"""

from __future__ import annotations

import contextvars
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TypeVar

T = TypeVar("T")
THREADS = 64  # threads one gather starts at most; the cloud's bound is on requests


class NotSent(Exception):
    """A gathered read's request, not sent: a read of its gather, or of one around it, failed."""


@dataclass
class _Gathering:
    owner: object  # the client whose requests take ``bound``
    bound: threading.BoundedSemaphore
    around: _Gathering | None  # the gather this one runs in, if any
    failed: threading.Event = field(default_factory=threading.Event)

    def stopped(self) -> bool:
        return self.failed.is_set() or (self.around is not None and self.around.stopped())


_CURRENT: contextvars.ContextVar[_Gathering | None] = contextvars.ContextVar(
    "gathering", default=None
)


@contextmanager
def slot(owner: object) -> Iterator[None]:
    """Around one request of ``owner``: a place within its bound when the request is one of
    its gathered reads', or NotSent once their gather has failed; nothing otherwise."""
    gathering = _CURRENT.get()
    if gathering is None or gathering.owner is not owner:
        yield
        return
    with gathering.bound:
        if gathering.stopped():
            raise NotSent
        yield


def gather(
    owner: object, bound: threading.BoundedSemaphore, name: str, reads: Sequence[Callable[[], T]]
) -> list[T]:
    """The reads' answers in the order given, each read on a thread of its own; the first
    failure in that order is raised once every read has ended."""
    if len(reads) <= 1:
        return [read() for read in reads]
    gathering = _Gathering(owner, bound, _CURRENT.get())

    def run(read: Callable[[], T]) -> T:
        _CURRENT.set(gathering)
        try:
            return read()
        except BaseException:
            gathering.failed.set()
            raise

    context = contextvars.copy_context()  # the job's log context, in every read's thread
    with ThreadPoolExecutor(min(len(reads), THREADS), thread_name_prefix=name) as pool:
        futures = [pool.submit(context.copy().run, run, read) for read in reads]
        errors = [error for error in (future.exception() for future in futures) if error]
    failed = [error for error in errors if not isinstance(error, NotSent)] or errors
    if failed:
        raise failed[0]
    return [future.result() for future in futures]
