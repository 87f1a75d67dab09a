"""The plan's renderings against golden files, and the comment's size limits."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from rich.console import Console

from app.plan.model import Action, Change
from app.plan.serialize import to_json
from app.policy.model import Decision
from app.report.plan_markdown import GITHUB_LIMIT, GITLAB_LIMIT, MARKER, render_comment
from app.report.plan_terminal import render_terminal
from app.report.review_markdown import policy_section
from app.spec.diagnostics import Code, Location, error
from tests.report.plans import empty_plan, long_plan, mixed_plan

GOLDEN = Path(__file__).parents[1] / "golden" / "plan"
PAYMENTS = "projects/payments.yaml"


def _check(name: str, text: str, update: bool) -> None:
    path = GOLDEN / name
    if update:
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8"), (
        f"differs from {path}; review, then --update-golden"
    )


def _terminal(plan_text: object) -> str:
    console = Console(width=140, record=True, color_system=None, file=open("/dev/null", "w"))  # noqa: SIM115
    console.print(plan_text)
    console.file.close()
    return console.export_text()


@pytest.mark.parametrize(("name", "build"), [("mixed", mixed_plan), ("empty", empty_plan)])
def test_comment_matches_golden(name: str, build, update_golden: bool) -> None:
    parts = render_comment(build(), needed=["an approval from one of: alice, @payments-leads"])
    assert len(parts) == 1
    _check(f"{name}.md", parts[0], update_golden)


def test_an_errored_plans_comment_matches_golden(update_golden: bool) -> None:
    """A YAML error: the plan has nothing to do, the policies judged nothing worth a pass."""
    bad = error(Code.YAML_SYNTAX, "mapping values are not allowed here", Location(PAYMENTS, 7, 12))
    plan = replace(empty_plan(), diagnostics=(bad,))
    extra = [policy_section(Decision(), plan_errors=True)]
    (comment,) = render_comment(plan, ["fix the problems listed above"], extra=extra)
    _check("errored.md", comment, update_golden)


@pytest.mark.parametrize(("name", "build"), [("mixed", mixed_plan), ("empty", empty_plan)])
def test_terminal_matches_golden(name: str, build, update_golden: bool) -> None:
    _check(f"{name}.txt", _terminal(render_terminal(build())), update_golden)


def test_json_matches_golden(update_golden: bool) -> None:
    text = to_json(mixed_plan())
    _check("mixed.json", text, update_golden)
    assert json.loads(text)["hash"] == json.loads(to_json(mixed_plan()))["hash"]


def test_rendering_is_deterministic() -> None:
    assert render_comment(mixed_plan()) == render_comment(mixed_plan())


def test_a_long_plan_is_split_and_the_summary_and_quotas_stay_on_top() -> None:
    plan = long_plan(3000)
    parts = render_comment(plan, limit=GITHUB_LIMIT)
    assert len(parts) > 2
    assert all(len(part) <= GITHUB_LIMIT for part in parts)
    assert (
        parts[0].startswith(MARKER) and plan.summary in parts[0] and "#### Quota impact" in parts[0]
    )
    assert all(f"(part {n})" in part for n, part in enumerate(parts[1:], start=2))
    rows = "".join(parts).count("| + create | instance |")
    assert rows == 3000  # nothing lost between parts
    assert len(render_comment(plan, limit=GITLAB_LIMIT)) == 1


def test_a_plan_with_thousands_of_problems_still_fits() -> None:
    many = tuple(
        error(Code.UNKNOWN_ZONE, f"unknown zone 'z{i}'", Location("projects/a.yaml", i, 1))
        for i in range(5000)
    )
    parts = render_comment(replace(mixed_plan(), diagnostics=many))
    assert len(parts[0]) <= GITHUB_LIMIT
    assert "and 4950 more" in parts[0]


def test_an_adopt_reads_as_one_in_the_comment_and_the_terminal() -> None:
    adopted = Change(
        Action.ADOPT, "network", "payments", "app-net", {"cidr": "10.1.0.0/24"},
        {"cidr": "10.1.0.0/24"}, (), "it runs in the cloud untagged: adopted (tagged), not "
        "created again", file=PAYMENTS, line=9, live_id="net-1",
    )  # fmt: skip
    plan = replace(empty_plan(), changes=(adopted,))
    assert plan.summary.endswith("0 to delete, 1 to adopt")
    (comment,) = render_comment(plan)
    assert "<b>payments</b>: 1 to adopt" in comment
    assert "| ⊕ adopt | network | `app-net` | it runs in the cloud untagged" in comment
    assert "⊕ adopt" in _terminal(render_terminal(plan))
