"""Run Rego tests (rules named ``test_*`` in ``*_test.rego``) on either engine, the way
``opa test`` does: each test rule must be true. Each test file is loaded beside the policies
on its own, so one file's helpers never meet another's."""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.policy.engines import PolicyEngine
from app.policy.locate import line_of
from app.policy.model import PolicyFailure, PolicySet

_PACKAGE = re.compile(r"^package\s+([\w.]+)", re.MULTILINE)
_TEST_RULE = re.compile(r"^(test_\w+)\b", re.MULTILINE)


@dataclass(frozen=True)
class TestResult:
    file: str
    line: int
    name: str  # data.<package>.<rule>
    passed: bool
    error: str = ""


def run_tests(engine: PolicyEngine, policies: PolicySet) -> list[TestResult]:
    results = []
    for test in policies.tests:
        package = _PACKAGE.search(test.source)
        if package is None:
            results.append(TestResult(test.name, 1, test.name, False, "no package"))
            continue
        rules = dict.fromkeys(
            m[1] for m in _TEST_RULE.finditer(test.source)
        )  # a rule may have bodies
        for rule in rules:
            line = line_of(test.source, test.source.index(rule))
            query = f"data.{package[1]}.{rule}"
            try:
                passed = engine.query(policies, {}, query, (test,)) is True
                results.append(TestResult(test.name, line, query, passed))
            except PolicyFailure as failure:
                results.append(TestResult(test.name, line, query, False, str(failure.error)))
    return results
