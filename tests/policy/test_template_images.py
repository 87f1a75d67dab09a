"""A template a project registers, judged by the shipped policies on both engines: the image
every instance on it boots needs the platform team's approval, and when the platform lists
the sources images may come from, a template from elsewhere is denied."""

from __future__ import annotations

from app.cloudstack.model import LiveObject
from app.policy.engines import PolicyEngine
from app.policy.input import build_input
from app.policy.model import Decision, PolicySet
from app.policy.sources import policy_set, shipped_policies
from tests.unit.plan.cloud import FILE, actions, load, obj, plan_of

REPO = """\
zone: zone-a
templates:
  golden:
    url: URL
    checksum: "{SHA-256}4f1f3bbbd8b0c2a2a6fbf11cbf1a4c3c2f1e6f6b0e1d5a4e8a3f1c0b9e7d6c5b"
    format: QCOW2
    hypervisor: KVM
    os_type: Debian GNU/Linux 12 (64-bit)
    description: DESCRIPTION
"""
PLATFORM = "registering template golden in project app needs the platform team"


def _decide(
    engine: PolicyEngine,
    policies: PolicySet,
    *,
    url: str,
    description: str = "ours",
    live: tuple[LiveObject, ...] = (),
) -> Decision:
    text = REPO.replace("URL", url).replace("DESCRIPTION", description)
    plan = plan_of(text, list(live))
    decision = engine.evaluate(policies, build_input(plan, load({FILE: text})))
    assert decision.errors == ()
    return decision


def test_registering_a_template_needs_the_platform_team(
    engine: PolicyEngine, defaults: PolicySet
) -> None:
    decision = _decide(engine, defaults, url="https://images.example/golden.qcow2")
    assert [f.rule for f in decision.deny] == []
    assert PLATFORM in {a.reason for a in decision.approvals}
    assert next(a for a in decision.approvals if a.reason == PLATFORM).from_ == ("@platform",)


def test_a_new_description_needs_no_platform_approval(
    engine: PolicyEngine, defaults: PolicySet
) -> None:
    url = "https://images.example/golden.qcow2"
    text = REPO.replace("URL", url).replace("DESCRIPTION", "old")
    live = plan_of(text).changes[0]
    registered = obj("template", "golden", dict(live.after or {}))
    changed = REPO.replace("URL", url).replace("DESCRIPTION", "new")
    assert actions(plan_of(changed, [registered])) == [("update", "template", "golden")]
    decision = _decide(engine, defaults, url=url, description="new", live=(registered,))
    assert PLATFORM not in {a.reason for a in decision.approvals}


def test_a_template_from_a_source_the_platform_does_not_list_is_denied(
    engine: PolicyEngine,
) -> None:
    settings = {"allowed": {"template_sources": ["https://images.example/"]}}
    listed = policy_set([(shipped_policies(), "policies")], settings=settings)
    elsewhere = _decide(engine, listed, url="http://mirror.example/golden.qcow2")
    assert [(f.rule, f.resource) for f in elsewhere.deny] == [
        ("catalog/template_sources", "app/template/golden")
    ]
    ours = _decide(engine, listed, url="https://images.example/golden.qcow2")
    assert ours.deny == ()
