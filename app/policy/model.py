"""Policy values: the sources judged, and the decision — deny, warn, approvals, errors."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, replace
from typing import Any

PACKAGE = "stackgate"  # every policy contributes to data.stackgate.{deny,warn,approvals}
DATA_ROOT = "stackgate_config"  # the platform's settings for policies, data.stackgate_config


@dataclass(frozen=True, order=True)
class PolicyFile:
    """One Rego module: where it came from (shown in messages) and its text."""

    name: str  # e.g. "policies/quota.rego" (shipped) or "repo:policies/naming.rego"
    source: str


@dataclass(frozen=True)
class PolicySet:
    """What judges a plan: the platform's modules, the repo's, their tests, and data — passed
    in explicitly, never found."""

    modules: tuple[PolicyFile, ...]  # the platform's: shipped, operator folders
    tests: tuple[PolicyFile, ...] = ()
    data: dict[str, Any] = field(default_factory=dict)
    notes: tuple[str, ...] = ()  # e.g. "the repo's policies have no tests": shown, not a pass
    repo: tuple[PolicyFile, ...] = ()  # the repo's own, which may only add (see layers)

    @property
    def content_hash(self) -> str:
        body = json.dumps(
            [[m.name, m.source] for m in sorted(self.modules)]
            + [[m.name, m.source] for m in sorted(self.repo)]
            + [json.dumps(self.data, sort_keys=True)]
        )
        return hashlib.sha256(body.encode()).hexdigest()

    @property
    def together(self) -> PolicySet:
        """Every module in one set: what an engine loads, and the repo's own rules run with."""
        return replace(self, modules=self.modules + self.repo, repo=()) if self.repo else self

    @property
    def layers(self) -> tuple[PolicySet, ...]:
        """What is evaluated, each on its own: the platform's modules alone, then (when the repo
        has policies) everything together. The decision is the union of theirs, so a repo
        module, though it may define anything in any package (even a helper the platform uses,
        as ``stackgate.lib.labelled``), changes only the second evaluation and can only add."""
        return (replace(self, repo=()), self.together) if self.repo else (self,)


@dataclass(frozen=True, order=True)
class Finding:
    rule: str
    resource: str
    msg: str

    def as_dict(self) -> dict[str, str]:
        return {"msg": self.msg, "resource": self.resource, "rule": self.rule}


@dataclass(frozen=True, order=True)
class Requirement:
    """``count`` approvals from any of ``from_`` (users, or @groups), for ``reason``."""

    reason: str
    count: int
    from_: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        return {"count": self.count, "from": list(self.from_), "reason": self.reason}


@dataclass(frozen=True, order=True)
class PolicyError:
    """A policy that could not be judged with: the gate fails closed and says where."""

    file: str
    line: int
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.message}" if where else self.message


class PolicyFailure(Exception):
    """Raised inside an engine when policies cannot be judged; carries where and why."""

    def __init__(self, error: PolicyError) -> None:
        super().__init__(str(error))
        self.error = error


@dataclass(frozen=True)
class Decision:
    deny: tuple[Finding, ...] = ()
    warn: tuple[Finding, ...] = ()
    approvals: tuple[Requirement, ...] = ()
    errors: tuple[PolicyError, ...] = ()
    notes: tuple[str, ...] = ()
    engine: str = ""

    @property
    def passed(self) -> bool:
        """No denial and no error: an error is never a pass."""
        return not self.deny and not self.errors

    def as_dict(self) -> dict[str, Any]:
        return {
            "deny": [f.as_dict() for f in self.deny],
            "warn": [f.as_dict() for f in self.warn],
            "approvals": [r.as_dict() for r in self.approvals],
            "errors": [str(e) for e in self.errors],
            "notes": list(self.notes),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any], engine: str = "") -> Decision:
        """A stored decision back (errors keep their text, already located)."""
        found = decision_from(data, engine, tuple(data.get("notes", ())))
        errors = tuple(PolicyError("", 0, str(text)) for text in data.get("errors", ()))
        return replace(found, errors=errors)


def _entries(raw: Any, kind: str) -> list[Any]:
    """A rule's entries: a set comes back as a list; anything else (``deny if ...`` makes
    ``true``) is an error, never "nothing denied"."""
    if raw is None or isinstance(raw, list):
        return raw or []
    raise ValueError(f"data.{PACKAGE}.{kind} must be a set of entries, not {raw!r}")


def _findings(raw: Any, kind: str) -> tuple[Finding, ...]:
    found = set()
    for item in _entries(raw, kind):
        if not isinstance(item, dict) or "msg" not in item:
            raise ValueError(f"data.stackgate.{kind} has an entry without msg: {item!r}")
        found.add(
            Finding(str(item.get("rule", "")), str(item.get("resource", "")), str(item["msg"]))
        )
    return tuple(sorted(found))


def _requirements(raw: Any) -> tuple[Requirement, ...]:
    found = set()
    for item in _entries(raw, "approvals"):
        if not isinstance(item, dict) or not isinstance(item.get("count"), int):
            raise ValueError(f"data.stackgate.approvals has an entry without a count: {item!r}")
        people = item.get("from", [])
        found.add(
            Requirement(str(item.get("reason", "")), item["count"], tuple(sorted(map(str, people))))
        )
    return tuple(sorted(found))


def decision_from(document: Any, engine: str, notes: tuple[str, ...] = ()) -> Decision:
    """The decision in ``data.stackgate`` as either engine returns it (sets as lists)."""
    body = document if isinstance(document, dict) else {}
    return Decision(
        _findings(body.get("deny"), "deny"),
        _findings(body.get("warn"), "warn"),
        _requirements(body.get("approvals")),
        notes=notes,
        engine=engine,
    )
