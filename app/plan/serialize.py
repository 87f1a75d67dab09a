"""The Plan's versioned JSON form, and its content hash. Policies, the store and apply read this."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from app.plan.model import FORMAT_VERSION, Action, Change, CostLine, FieldChange, Plan, QuotaLine
from app.spec.diagnostics import Code, Diagnostic, Location, Severity

# Measurements of one run, not part of what a plan says: left out of the hash.
UNHASHED = ("api_calls", "read_seconds", "hash")


def change_dict(change: Change) -> dict[str, Any]:
    return {
        "action": change.action.value,
        "kind": change.kind,
        "project": change.project,
        "name": change.name,
        "address": change.address,
        "before": change.before,
        "after": change.after,
        "changed": [
            {"field": f.field, "before": f.before, "after": f.after} for f in change.changed
        ],
        "reason": change.reason,
        "lost": change.lost,
        "destructive": change.destructive,
        "protected": change.protected,
        "file": change.file,
        "line": change.line,
        "live_id": change.live_id,
    }


def _quota(line: QuotaLine) -> dict[str, Any]:
    return {
        "project": line.project,  # with scope domain: the domain's path
        "scope": line.scope,
        "resource": line.resource,
        "unit": line.unit,
        "used": line.used,
        "change": line.change,
        "pending": line.pending,
        "after": line.after,
        "limit": line.limit,
        "headroom": line.headroom,
        "status": line.status,
    }


def to_dict(plan: Plan) -> dict[str, Any]:
    body: dict[str, Any] = {
        "format_version": plan.format_version,
        "repo": plan.repo,
        "projects": list(plan.projects),
        "summary": plan.summary,
        "counts": plan.counts,
        "changes": [change_dict(change) for change in plan.changes],
        "quotas": [_quota(line) for line in plan.quotas],
        "costs": [
            {
                "project": c.project,
                "currency": c.currency,
                "before": c.before,
                "after": c.after,
                "delta": c.delta,
            }
            for c in plan.costs
        ],
        "diagnostics": [d.as_dict() for d in plan.diagnostics],
        "live_fingerprint": plan.live_fingerprint,
        "api_calls": plan.api_calls,
        "read_seconds": plan.read_seconds,
    }
    body["hash"] = plan_hash(plan, body)
    return body


def plan_hash(plan: Plan, body: dict[str, Any] | None = None) -> str:
    """sha256 of the canonical JSON of everything the plan says (not how long reading took)."""
    content = {k: v for k, v in (body or to_dict(plan)).items() if k not in UNHASHED}
    return hashlib.sha256(
        json.dumps(content, sort_keys=True, separators=(",", ":")).encode()
    ).hexdigest()


def changes_digest(plan: Plan) -> str:
    """sha256 of what the changes do (action, address, before, after, live id), not where
    the repo says it: two plans with one digest make the cloud the same."""
    essence = [[c.action.value, c.address, c.before, c.after, c.live_id] for c in plan.changes]
    text = json.dumps(essence, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def to_json(plan: Plan) -> str:
    return json.dumps(to_dict(plan), indent=2, sort_keys=True) + "\n"


def from_dict(data: dict[str, Any]) -> Plan:
    if data.get("format_version") != FORMAT_VERSION:
        raise ValueError(f"plan format {data.get('format_version')} is not {FORMAT_VERSION}")
    changes = tuple(
        Change(
            Action(c["action"]),
            c["kind"],
            c["project"],
            c["name"],
            c["before"],
            c["after"],
            tuple(FieldChange(f["field"], f["before"], f["after"]) for f in c["changed"]),
            c["reason"],
            c["lost"],
            c["file"],
            c["line"],
            c["live_id"],
            c["protected"],
        )
        for c in data["changes"]
    )
    quotas = tuple(
        QuotaLine(
            q["project"],
            q["resource"],
            q["unit"],
            q["used"],
            q["change"],
            q["pending"],
            q["limit"],
            q.get("scope", "project"),  # plans stored before domain rows
        )
        for q in data["quotas"]
    )
    costs = tuple(
        CostLine(c["project"], c["currency"], c["before"], c["after"]) for c in data["costs"]
    )
    diagnostics = tuple(
        Diagnostic(
            Severity(d["severity"]),
            Code(d["code"]),
            d["message"],
            Location(d["file"], d["line"], d["column"]),
            d["hint"],
        )
        for d in data["diagnostics"]
    )
    return Plan(
        data["repo"],
        tuple(data["projects"]),
        changes,
        quotas,
        costs,
        diagnostics,
        data["live_fingerprint"],
        data["api_calls"],
        data["read_seconds"],
    )
