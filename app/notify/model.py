"""The notification value: what happened, for whom, as the queue stores it and formats read it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from app.config import NotifyEvent


@dataclass(frozen=True)
class Notice:
    """One thing that happened, told to every receiver that wants its ``event``."""

    event: NotifyEvent
    key: str  # what makes it this one occurrence: a second notice with the key is not sent
    summary: str  # one line for people
    forge: str
    repo: str
    number: int | None  # the pull or merge request, None for a reconcile's news
    lines: tuple[str, ...] = ()  # more for people: failed steps, the retry command
    details: Mapping[str, Any] = field(default_factory=dict)  # the same for programs
    # ISO 8601, UTC: when stackgate saw it (queued with the notice: the same in every retry)
    occurred_at: str = field(default_factory=lambda: datetime.now(UTC).isoformat("T", "seconds"))

    def as_dict(self) -> dict[str, Any]:
        return {
            "event": self.event,
            "key": self.key,
            "summary": self.summary,
            "forge": self.forge,
            "repo": self.repo,
            "number": self.number,
            "occurred_at": self.occurred_at,
            "lines": list(self.lines),
            "details": dict(self.details),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Notice:
        return cls(**{**data, "lines": tuple(data["lines"])})
