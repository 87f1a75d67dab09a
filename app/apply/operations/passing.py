"""Waiting out an object's passing state, for steps a restart resumes: what the journal shows
as sent may still be running in CloudStack, and what follows must not start before it ends."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from app.apply.operations.base import Context
from app.cloudstack.errors import OutcomeUnknown

Row = dict[str, Any]
POLL_SECONDS = 1.0


def settled(
    ctx: Context, look: Callable[[], Row | None], passing: frozenset[str], command: str, what: str
) -> Row | None:
    """The row ``look`` finds once its state is none of ``passing`` (None: there is none),
    within the client's job timeout; past it the step stays uncertain, for the next attempt."""
    deadline = time.monotonic() + ctx.client.endpoint.job_timeout
    while True:
        row = look()
        if row is None or row.get("state") not in passing:
            return row
        if time.monotonic() > deadline:
            raise OutcomeUnknown(ctx.client.cloud, command, f"{what} is still {row['state']}")
        ctx.client.sleep(POLL_SECONDS)
