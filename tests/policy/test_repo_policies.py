"""A repo's policies can only add denials, warnings and approvals: whatever a repo module
defines, even in the platform's packages, what the platform's policies decide stands."""

from __future__ import annotations

import pytest

from app.policy.engines import PolicyEngine
from app.policy.model import Decision
from app.policy.sources import policy_set, shipped_policies

SETTINGS = {"platform_group": "@platform"}

# A plan that trips a platform rule of every kind: a delete without the allow-destroy label
# (deny), a quota near its limit (warn), an owned project and a limit change (approvals).
DOCUMENT = {
    "pull_request": {
        "number": 1,
        "author": "bob",
        "labels": [],
        "base_ref": "main",
        "head_sha": "abc",
        "forge": "github",
        "draft": False,
        "approvals": [],
    },
    "changes": [
        {
            "action": "delete",
            "kind": "volume",
            "project": "payments",
            "name": "old-data",
            "address": "payments/volume/old-data",
            "before": {"size_gib": 10, "protected": False},
            "after": None,
            "changed": [],
            "reason": "",
            "lost": "the volume and its data",
            "destructive": True,
            "protected": False,
            "file": "",
            "line": 0,
            "live_id": "v-1",
        },
        {
            "action": "update",
            "kind": "limits",
            "project": "payments",
            "name": "cpu",
            "address": "payments/limits/cpu",
            "before": {"limit": 8},
            "after": {"limit": 10},
            "changed": [],
            "reason": "",
            "lost": "",
            "destructive": False,
            "protected": False,
            "file": "",
            "line": 0,
            "live_id": None,
        },
    ],
    "projects": {"payments": {"owners": ["alice"]}},
    "quotas": {
        "payments": {
            "cpu": {"used": 8, "change": 1, "pending": 0, "after": 9, "limit": 10, "unit": "count"}
        }
    },
}

ATTACKS = {
    # The attack as found: a helper of the shipped library redefined to always hold.
    "labelled is always true": ("lib.rego", "package stackgate.lib\n\nlabelled(_, _) if true\n"),
    "labelled by default": (
        "lib.rego",
        "package stackgate.lib\n\ndefault labelled(_, _) := true\n",
    ),
    "destructive is false": ("lib.rego", "package stackgate.lib\n\ndestructive(_) := false\n"),
    "deny replaced": ("mine.rego", "package stackgate\n\ndeny := set()\n"),
    "warn replaced": ("mine.rego", "package stackgate\n\nwarn := set()\n"),
    "approvals replaced": ("mine.rego", "package stackgate\n\napprovals := set()\n"),
    "a platform function redefined": (
        "mine.rego",
        "package stackgate\n\nunlabelled_destruction(_) := set()\n\nnear_limit(_) := set()\n"
        "\nowner_approvals(_) := set()\n",
    ),
    "the platform group moved": (
        "lib.rego",
        'package stackgate.lib\n\nsetting(_, _, _) := "@repo-team"\n',
    ),
}


def _judge(engine: PolicyEngine, repo: dict[str, str]) -> Decision:
    policies = policy_set([(shipped_policies(), "policies")], repo, SETTINGS)
    return engine.evaluate(policies, DOCUMENT)


@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_a_repo_policy_cannot_take_away_what_the_platform_decides(
    engine: PolicyEngine, attack: str
) -> None:
    platform = _judge(engine, {})
    assert {f.rule for f in platform.deny} == {"destroy/needs-label"}
    assert {f.rule for f in platform.warn} == {"quota/near-limit"}
    assert len(platform.approvals) == 2 and platform.errors == ()
    name, source = ATTACKS[attack]
    judged = _judge(engine, {f"policies/{name}": source})
    assert set(platform.deny) <= set(judged.deny)
    assert set(platform.warn) <= set(judged.warn)
    assert set(platform.approvals) <= set(judged.approvals)
    assert not judged.passed


def test_a_repo_policy_adds_with_the_platform_library_and_settings(engine: PolicyEngine) -> None:
    """Repo policies see the platform's helpers and settings; what they decide is added."""
    mine = (
        "package stackgate\n\nimport data.stackgate.lib\n\n"
        'deny contains {"msg": "no deletes here", "resource": c.address, "rule": "repo/no-delete"}'
        " if {\n\tsome c in input.changes\n\tlib.destructive(c)\n}\n\n"
        'approvals contains {"count": 2, "from": [data.stackgate_config.platform_group],'
        ' "reason": "two from the platform"} if true\n'
    )
    judged = _judge(engine, {"policies/mine.rego": mine})
    assert judged.errors == ()
    assert {f.rule for f in judged.deny} == {"destroy/needs-label", "repo/no-delete"}
    assert ("two from the platform", 2, ("@platform",)) in [
        (r.reason, r.count, r.from_) for r in judged.approvals
    ]
    assert len(judged.approvals) == 3


def test_a_repo_rule_over_a_range_adds_every_finding(engine: PolicyEngine) -> None:
    """regorus once dropped these when the package was read as one document (OPA has them)."""
    mine = (
        "package stackgate\n\n"
        'deny contains {"msg": sprintf("check %d says no", [i]), "rule": "loud"} if {\n'
        "\tsome i in numbers.range(1, 3)\n\tcount(input.changes) > 0\n}\n"
    )
    judged = _judge(engine, {"policies/loud.rego": mine})
    assert judged.errors == ()
    assert sorted(f.msg for f in judged.deny if f.rule == "loud") == [
        f"check {i} says no" for i in (1, 2, 3)
    ]
