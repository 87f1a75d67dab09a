"""A planned change to a live security group, judged by the shipped policies on both engines:
the policy input's before (the group as listSecurityGroups shows it) and after (the repo's)
describe rules alike, so an update is judged on the rules it adds."""

from __future__ import annotations

from app.cloudstack.sg_reading import SecurityGroupReading
from app.policy.engines import PolicyEngine
from app.policy.input import build_input
from app.policy.model import PolicySet
from tests.unit.plan.cloud import FILE, actions, load, obj, plan_of

SSH = {"protocol": "tcp", "startport": 22, "endport": 22, "cidr": "0.0.0.0/0"}
REPO = """\
zone: zone-a
security_groups:
  web-sg:
    ingress:
      - {protocol: tcp, ports: 22, cidrs: [0.0.0.0/0]}
      - ADDED
"""


def _judged(engine: PolicyEngine, policies: PolicySet, added: str) -> list[tuple[str, str]]:
    """The deny rules that fire when the repo adds ``added`` to a live group whose public SSH
    rule was let in before (by hand, or before the policy said otherwise)."""
    fields = SecurityGroupReading.security_group({"description": "", "ingressrule": [SSH]})
    live = obj("security_group", "web-sg", fields)
    text = REPO.replace("ADDED", added)
    plan = plan_of(text, [live])
    assert actions(plan) == [("update", "security_group", "web-sg")]
    decision = engine.evaluate(policies, build_input(plan, load({FILE: text})))
    assert decision.errors == ()
    return [(f.rule, f.resource) for f in decision.deny]


def test_a_harmless_rule_added_beside_public_ssh_is_not_denied(
    engine: PolicyEngine, defaults: PolicySet
) -> None:
    added = "{protocol: tcp, ports: 8080, cidrs: [10.0.0.0/8]}"
    assert _judged(engine, defaults, added) == []


def test_rdp_opened_to_the_internet_beside_it_is_denied(
    engine: PolicyEngine, defaults: PolicySet
) -> None:
    added = "{protocol: tcp, ports: 3389, cidrs: [0.0.0.0/0]}"
    assert _judged(engine, defaults, added) == [
        ("exposure/admin-ports", "app/security_group/web-sg")
    ]
