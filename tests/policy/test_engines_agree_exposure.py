"""Differential test for exposure: both engines judge generated changes of rules and security
groups alike. A rule's update changes its labels alone or what it opens, so that both the
rules judged again and those left alone are met; a group's before and after are drawn from
one small set of rules, so that an update shares some with what the group had."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.policy.embedded import EmbeddedEngine
from app.policy.model import PolicySet
from app.policy.opa_server import OpaEngine

PORTS = st.sampled_from(["22", "443", "3000-4000", None])
CIDRS = st.sampled_from([["0.0.0.0/0"], ["10.0.0.0/8"], ["::/0"], []])
GROUP_RULE = st.fixed_dictionaries(
    {
        "protocol": st.sampled_from(["tcp", "udp", "all"]),
        "ports": PORTS,
        "icmp_type": st.none(),
        "icmp_code": st.none(),
        "cidrs": CIDRS,
        "group": st.none(),
    }
)
ACTIONS = ["create", "update", "update-stop", "replace", "adopt"]


@st.composite
def fields(draw: st.DrawFn, kind: str) -> dict[str, Any]:
    """What a change of ``kind`` says of the object, beside its labels."""
    if kind == "security_group":
        return {"description": "", "ingress": draw(st.lists(GROUP_RULE, max_size=3))}
    if kind == "port_forward":
        return {"public_port": draw(st.sampled_from(["22", "8443"])), "cidrs": draw(CIDRS)}
    rule: dict[str, Any] = {"protocol": draw(st.sampled_from(["tcp", "all"]))}
    rule |= {"ports": draw(PORTS), "cidrs": draw(CIDRS)}
    if kind == "network_acl_rule":
        rule |= {"acl": "web-acl", "number": 20, "traffic": "ingress"}
        rule["action"] = draw(st.sampled_from(["allow", "deny"]))
    return rule


@st.composite
def change(draw: st.DrawFn) -> dict[str, Any]:
    kind = draw(st.sampled_from(["firewall", "port_forward", "network_acl_rule", "security_group"]))
    action = draw(st.sampled_from(ACTIONS))
    name = draw(st.sampled_from(["r1", "r2"]))
    before = None if action == "create" else {**draw(fields(kind)), "labels": {}}
    after = {**draw(fields(kind)), "labels": {}}
    if before is not None and draw(st.booleans()):  # its labels alone change
        after = {**before, "labels": {"owner": "alice"}}
    changed = [
        {"field": key, "before": (before or {}).get(key), "after": value}
        for key, value in after.items()
        if (before or {}).get(key) != value
    ]
    return {
        "action": action,
        "kind": kind,
        "project": "payments",
        "name": name,
        "address": f"payments/{kind}/{name}",
        "before": before,
        "after": after,
        "changed": changed,
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
@given(st.lists(change(), min_size=1, max_size=3))
def test_both_engines_judge_exposure_the_same(
    embedded: EmbeddedEngine, opa: OpaEngine, defaults: PolicySet, changes: list[dict[str, Any]]
) -> None:
    document: dict[str, Any] = {"pull_request": None, "changes": changes}
    document |= {"projects": {}, "quotas": {}}
    ours, theirs = embedded.evaluate(defaults, document), opa.evaluate(defaults, document)
    assert ours.errors == () and theirs.errors == ()
    assert ours.as_dict() == theirs.as_dict()
