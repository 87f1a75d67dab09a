"""The shipped policies' own Rego tests pass on both engines, and a real plan is judged."""

from __future__ import annotations

import pytest

from app.events.model import Approval, PullRequest
from app.plan.model import Action, Change, Plan, QuotaLine
from app.policy.engines import PolicyEngine
from app.policy.input import build_input
from app.policy.model import PolicySet
from app.policy.testing import run_tests
from app.spec import load_desired_state
from app.spec.sources import MemorySource


def test_every_default_policy_has_tests(defaults: PolicySet) -> None:
    tested = {test.name.removesuffix("_test.rego") for test in defaults.tests}
    untested = [
        m.name
        for m in defaults.modules
        if "/lib/" not in m.name and m.name.removesuffix(".rego") not in tested
    ]
    assert untested == []


def test_the_default_rego_tests_pass(engine: PolicyEngine, defaults: PolicySet) -> None:
    results = run_tests(engine, defaults)
    assert len(results) >= 30
    assert [(r.name, r.error) for r in results if not r.passed] == []


def test_a_failing_rego_test_is_reported(engine: PolicyEngine, defaults: PolicySet) -> None:
    from dataclasses import replace

    from app.policy.model import PolicyFile

    wrong = PolicyFile(
        "policies/wrong_test.rego",
        "package stackgate_test.wrong\n\nimport data.stackgate\n\ntest_wrong if {\n"
        '\tcount(stackgate.owner_approvals({"changes": []})) == 1\n}\n',
    )
    results = run_tests(engine, replace(defaults, tests=(wrong,)))
    assert [(r.name, r.passed, r.line) for r in results] == [
        ("data.stackgate_test.wrong.test_wrong", False, 5)
    ]


PAYMENTS = """\
owners: [alice, "@payments-leads"]
zone: zone-a
labels: {cost-center: "4711"}
instances:
  web-1: {offering: medium, template: ubuntu-22.04, networks: [app-net], labels: {owner: alice}}
networks:
  app-net: {offering: DefaultIsolatedNetworkOfferingWithSourceNatService, cidr: 10.1.0.0/24}
"""


def _plan() -> tuple[Plan, object]:
    desired = load_desired_state(MemorySource({"projects/payments.yaml": PAYMENTS.encode()}))
    web = {
        "offering": "medium",
        "template": "ubuntu-22.04",
        "networks": ["app-net"],
        "ssh_key": None,
        "root_disk_gib": 10,
        "zone": "zone-a",
        "user_data_sha": None,
        "cpu": 2,
        "memory_mib": 4096,
        "labels": {"cost-center": "4711", "owner": "alice"},
        "protected": False,
    }
    changes = (
        Change(
            Action.CREATE,
            "instance",
            "payments",
            "web-1",
            None,
            web,
            file="projects/payments.yaml",
            line=5,
        ),
        Change(
            Action.DELETE,
            "volume",
            "payments",
            "old-data",
            {"size_gib": 10, "protected": False},
            None,
            reason="no longer in the repo",
            lost="the volume and its data",
            live_id="v-1",
        ),
        Change(Action.UPDATE, "limits", "payments", "cpu", {"limit": 8}, {"limit": 16}),
    )
    quotas = (QuotaLine("payments", "cpu", "count", 8, 2, 0, 16),)
    return Plan("example.com/acme/infra", ("payments",), changes, quotas), desired


def test_a_real_plan_is_judged_the_same_by_both_engines(
    engine: PolicyEngine, defaults: PolicySet
) -> None:
    plan, desired = _plan()
    pull_request = PullRequest(
        "github",
        "acme/infra",
        7,
        "bob",
        "main",
        "abc123",
        labels=("infra",),
        approvals=(Approval("alice", "abc123"),),
    )
    decision = engine.evaluate(defaults, build_input(plan, desired, pull_request))  # type: ignore[arg-type]
    assert decision.errors == ()
    assert [(f.rule, f.resource) for f in decision.deny] == [
        ("destroy/needs-label", "payments/volume/old-data")
    ]
    assert decision.warn == ()
    assert [(r.from_, r.reason) for r in decision.approvals] == [
        (
            ("@payments-leads", "alice"),
            "changes to project payments need an approval from one of its owners",
        ),
        (("@platform",), "changes to the limits of project payments need the platform team"),
    ]
    assert not decision.passed


@pytest.mark.parametrize("label", ["allow-destroy"])
def test_the_label_lets_the_delete_through(
    engine: PolicyEngine, defaults: PolicySet, label: str
) -> None:
    plan, desired = _plan()
    pull_request = PullRequest("gitlab", "acme/infra", 7, "bob", "main", "abc123", labels=(label,))
    decision = engine.evaluate(defaults, build_input(plan, desired, pull_request))  # type: ignore[arg-type]
    assert decision.deny == () and decision.passed
