"""A built-in that fails at run time fails the gate on both engines, naming file and line."""

from __future__ import annotations

from dataclasses import replace

import pytest

from app.policy.engines import PolicyEngine
from app.policy.model import PolicyFile, PolicySet

CHANGE = {"action": "update", "address": "p/instance/web", "before": {"offering": "medium"}}
INPUT: dict[str, object] = {"changes": [CHANGE], "quotas": {}, "projects": {}, "zero": 0}

FAILING = {
    "to_number of input text": (
        'package stackgate\n\ndeny contains {"msg": "big", "resource": c.address} if {\n'
        "\tsome c in input.changes\n\tto_number(c.before.offering) > 1\n}\n",
        5,
    ),
    "to_number of a literal": (
        'package stackgate\n\nwarn contains {"msg": "w"} if {\n\ty := to_number("nope")\n}\n',
        4,
    ),
    "division by zero": (
        'package stackgate\n\nwarn contains {"msg": "w"} if {\n\tx := 10 / input.zero\n'
        "\tx > 1\n}\n",
        4,
    ),
    "json.unmarshal of bad text": (
        'package stackgate\n\nwarn contains {"msg": "w"} if {\n\tjson.unmarshal("{bad")\n}\n',
        4,
    ),
    "object.get of a string": (
        "package stackgate\n\naddress_key(doc) := object.get(doc.changes[0].address, "
        '"k", 1)\n\ndeny contains {"msg": "m"} if address_key(input) == 1\n',
        3,
    ),
}


@pytest.mark.parametrize("case", sorted(FAILING))
def test_a_builtin_error_fails_closed_with_file_and_line(
    engine: PolicyEngine, defaults: PolicySet, case: str
) -> None:
    source, line = FAILING[case]
    policies = replace(
        defaults, modules=(*defaults.modules, PolicyFile("repo:policies/x.rego", source))
    )
    decision = engine.evaluate(policies, INPUT)
    assert not decision.passed
    assert [(e.file, e.line) for e in decision.errors] == [("repo:policies/x.rego", line)]


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ("deny if true\n", "data.stackgate.deny"),
        ('deny if {\n\ty := to_number("nope")\n}\n', "repo:policies/x.rego:4"),
    ],
)
def test_a_boolean_deny_is_an_error_not_a_pass(engine: PolicyEngine, body: str, error: str) -> None:
    """`deny if ...` is no set of findings: it never reads as "nothing denied" on either engine."""
    module = PolicyFile("repo:policies/x.rego", f"package stackgate\n\n{body}")
    decision = engine.evaluate(PolicySet((module,)), INPUT)
    assert not decision.passed
    assert error in str(decision.errors[0])
