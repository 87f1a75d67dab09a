"""Differential test for security groups: both engines judge generated group changes alike,
an update by the rules it adds (before and after drawn from one small set of rules, so that
they share some), a create, replace or adopt by all its rules."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.policy.embedded import EmbeddedEngine
from app.policy.model import PolicySet
from app.policy.opa_server import OpaEngine

RULE = st.fixed_dictionaries(
    {
        "protocol": st.sampled_from(["tcp", "udp", "all"]),
        "ports": st.sampled_from(["22", "443", "3000-4000", None]),
        "icmp_type": st.none(),
        "icmp_code": st.none(),
        "cidrs": st.sampled_from([["0.0.0.0/0"], ["10.0.0.0/8"], ["::/0"], []]),
        "group": st.none(),
    }
)


def _group(rules: list[dict[str, Any]]) -> dict[str, Any]:
    return {"description": "", "ingress": rules, "egress": [], "labels": {}, "protected": False}


@st.composite
def group_change(draw: st.DrawFn) -> dict[str, Any]:
    action = draw(st.sampled_from(["create", "update", "update-stop", "replace", "adopt"]))
    before = None if action == "create" else _group(draw(st.lists(RULE, max_size=3)))
    name = draw(st.sampled_from(["web-sg", "db-sg"]))
    return {
        "action": action,
        "kind": "security_group",
        "project": "payments",
        "name": name,
        "address": f"payments/security_group/{name}",
        "before": before,
        "after": _group(draw(st.lists(RULE, max_size=4))),
        "changed": [],
        "reason": "",
        "lost": "",
        "destructive": action == "replace",
        "protected": False,
        "file": "projects/payments.yaml",
        "line": 1,
        "live_id": None,
    }


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(st.lists(group_change(), min_size=1, max_size=3))
def test_both_engines_judge_security_group_changes_the_same(
    embedded: EmbeddedEngine, opa: OpaEngine, defaults: PolicySet, changes: list[dict[str, Any]]
) -> None:
    document: dict[str, Any] = {"pull_request": None, "changes": changes}
    document |= {"projects": {}, "quotas": {}}
    ours, theirs = embedded.evaluate(defaults, document), opa.evaluate(defaults, document)
    assert ours.errors == () and theirs.errors == ()
    assert ours.as_dict() == theirs.as_dict()
