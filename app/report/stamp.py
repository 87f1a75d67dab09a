"""The stamp in the plan comment: which head was planned, what its changes were and which
live objects they stood on, hidden in an HTML comment.

A CI job that merges has no store shared with the job that reviewed; it reads the stamp back
from the pull request and holds the merge to it (the guard, without a database).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.plan.model import Plan
from app.plan.serialize import changes_digest

_STAMP = re.compile(r"<!-- stackgate:stamp head=(\w+) changes=(\w+) live=(\w+) -->")


@dataclass(frozen=True)
class Stamp:
    head: str
    changes: str
    live: str

    @classmethod
    def of(cls, plan: Plan, head: str) -> Stamp:
        return cls(head, changes_digest(plan), plan.live_fingerprint)

    def render(self) -> str:
        return (
            f"<!-- stackgate:stamp head={self.head} changes={self.changes} live={self.live} -->\n"
        )

    @classmethod
    def find(cls, text: str) -> Stamp | None:
        found = _STAMP.search(text)
        return cls(*found.groups()) if found else None
