"""A Kubernetes cluster that CKS cannot change in place is replaced, and the default policies
deny that replace without the allow-destroy label, on both engines; a scale passes."""

from __future__ import annotations

from app.events.model import PullRequest
from app.policy.engines import PolicyEngine
from app.policy.input import build_input
from app.policy.model import PolicySet
from tests.unit.plan.cloud import FILE, edit, load
from tests.unit.plan.test_k8s_changes import APPS, cluster_plan, live_cluster


def _denied(engine: PolicyEngine, defaults: PolicySet, text: str, *labels: str) -> list[str]:
    plan = cluster_plan(text, live_cluster())
    pull_request = PullRequest("github", "acme/infra", 7, "bob", "main", "abc", labels=labels)
    decision = engine.evaluate(defaults, build_input(plan, load({FILE: text}), pull_request))
    assert decision.errors == ()
    return [finding.msg for finding in decision.deny]


def test_a_replaced_cluster_needs_the_allow_destroy_label(
    engine: PolicyEngine, defaults: PolicySet
) -> None:
    more_control = edit("control_nodes: 3", "control_nodes: 5", APPS)
    assert _denied(engine, defaults, more_control) == [
        "replace of app/kubernetes_cluster/apps needs the allow-destroy label: the cluster: its "
        "nodes, their disks and every workload on them"
    ]
    assert _denied(engine, defaults, more_control, "allow-destroy") == []


def test_a_scale_is_not_destruction(engine: PolicyEngine, defaults: PolicySet) -> None:
    assert _denied(engine, defaults, edit("size: 10", "size: 13", APPS)) == []
