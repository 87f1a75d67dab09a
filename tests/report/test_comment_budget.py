"""The plan comment's first part fits the host whatever the plan and the policies said, and
never reads as a pass when the plan or the policies errored."""

from __future__ import annotations

from dataclasses import replace

import pytest

from app.plan.model import Plan, QuotaLine
from app.policy.model import Decision, Finding, PolicyError
from app.report.plan_markdown import GITHUB_LIMIT, GITLAB_LIMIT, render_comment
from app.report.review_markdown import policy_section
from app.report.stamp import Stamp
from app.spec.diagnostics import Code, Location, error
from tests.report.plans import empty_plan, mixed_plan

HOSTS = {GITHUB_LIMIT: 65_536, GITLAB_LIMIT: 1_000_000}  # what the hosts refuse above
OVER = "| zz-last | memory |"  # sorts after every row that fits, and is over its limit


def _crowded_quotas(rows: int) -> tuple[QuotaLine, ...]:
    """Many rows within their limits, and one over its limit that sorts last by name."""
    fine = tuple(QuotaLine(f"team-{i:05d}", "instances", "count", 1, 1, 0, 50) for i in range(rows))
    return (*fine, QuotaLine("zz-last", "memory", "MiB", 20480, 8192, 0, 24576))


def _many_denials(count: int, padding: int) -> tuple[Decision, list[str]]:
    """``count`` denials, and the "still needed" list the gate builds from them."""
    found = tuple(
        Finding("many", f"payments/instance/vm-{i}", f"vm-{i:04d} is denied {'.' * padding}")
        for i in range(count)
    )
    needed = [f"policy **{f.rule}**: {f.msg}" for f in found]
    return Decision(deny=found, warn=found), needed


@pytest.mark.parametrize(
    ("limit", "padding", "rows"), [(GITHUB_LIMIT, 60, 1000), (GITLAB_LIMIT, 1200, 20_000)]
)
def test_nine_hundred_denials_fit_and_a_row_over_its_limit_is_shown(
    limit: int, padding: int, rows: int
) -> None:
    plan = replace(mixed_plan(), quotas=_crowded_quotas(rows))
    decision, needed = _many_denials(900, padding)
    parts = render_comment(plan, needed, limit, extra=[policy_section(decision)])
    first = parts[0] + Stamp("a" * 40, "b" * 64, "c" * 64).render()  # as the review flow adds
    assert all(len(part) <= HOSTS[limit] for part in [first, *parts[1:]])
    assert OVER in first  # a row over its limit is never folded away
    assert "900 in all" in first  # the denials, the warnings and what is needed, with totals
    assert first.count("vm-0899") == 0 and first.count("vm-0000") == 3
    assert "within their limits" in first  # only rows within their limits were folded


def test_a_policy_message_of_any_length_is_cut_to_a_line() -> None:
    huge = Finding("big", "payments/instance/vm", "x" * 200_000)
    parts = render_comment(mixed_plan(), extra=[policy_section(Decision(deny=(huge,)))])
    assert len(parts[0]) < GITHUB_LIMIT // 2


def _errored(plan_has_changes: bool) -> Plan:
    bad = error(Code.UNKNOWN_ZONE, "unknown zone 'z9'", Location("projects/a.yaml", 3, 7))
    plan = mixed_plan() if plan_has_changes else empty_plan()
    return replace(plan, diagnostics=(bad,))


@pytest.mark.parametrize("plan_has_changes", [False, True])
def test_an_errored_plan_leads_with_its_errors_and_never_reads_as_a_pass(
    plan_has_changes: bool,
) -> None:
    plan = _errored(plan_has_changes)
    extra = [policy_section(Decision(), plan_errors=True)]
    (comment,) = render_comment(plan, ["fix the problems listed above"], extra=extra)
    assert "already matches" not in comment
    assert "All policies pass" not in comment
    assert "the plan has errors" in comment
    assert comment.index("#### Problems") < comment.index("#### Policies")
    assert comment.index("#### Problems") < comment.index("#### Quota impact")


def test_a_policy_error_leads_and_never_reads_as_a_pass() -> None:
    broken = PolicyError("policies/sizes.rego", 12, "to_number: invalid syntax")
    extra = [policy_section(Decision(errors=(broken,)))]
    (comment,) = render_comment(replace(mixed_plan(), diagnostics=()), extra=extra)
    assert "All policies pass" not in comment
    lead = comment.index("❌ A policy could not be evaluated")
    assert "`policies/sizes.rego:12: to_number: invalid syntax`" in comment
    assert lead < comment.index("[!CAUTION]") and lead < comment.index("#### Quota impact")


def test_a_clean_plan_and_decision_still_pass() -> None:
    (comment,) = render_comment(empty_plan(), extra=[policy_section(Decision())])
    assert "✅ All policies pass" in comment and "The cloud already matches the repo" in comment


def test_tight_rows_that_cannot_all_fit_are_counted_never_called_within_limits() -> None:
    over = tuple(QuotaLine(f"team-{i:04d}", "cpu", "count", 9, 8, 0, 16) for i in range(2000))
    (first, *_) = render_comment(replace(empty_plan(), quotas=over))
    assert len(first) <= GITHUB_LIMIT
    assert "of them over or near their limits" in first and "within their limits" not in first
