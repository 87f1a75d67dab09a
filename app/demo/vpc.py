"""The demo's look at the example repo's VPC project: a three-tier application with network
ACLs, a load balancer, static NAT and anti-affinity, planned and judged like any project and
shown in a few lines, as main's first apply made it."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

from app.demo.stage import Demo
from app.flows.gate import missing_approvals
from app.plan.model import Plan
from app.policy.input import build_input
from app.policy.model import Decision
from app.report.plan_text import SYMBOL, details, quota_cells
from app.spec.state import DesiredState

PROJECT = "checkout"
# What a reviewer of a VPC reads one by one; the instances, volumes, limits and the rest are
# counted, as they read like any other project's.
SHOWN = ("vpc", "network", "network_acl_rule", "public_ip", "load_balancer", "affinity_group")
QUOTAS = ("vpcs", "networks", "public_ips", "instances")


def show_vpc_project(demo: Demo, plan: Plan, desired: DesiredState) -> None:
    """The VPC project's share of main's plan, and what the shipped policies say of it."""
    mine = project_plan(plan, PROJECT)
    policies = demo.services.policies({})
    decision = demo.services.engine.evaluate(policies, build_input(mine, desired))
    demo.console.rule(f"the {PROJECT} project: three tiers in a VPC, applied with main")
    text = "\n".join(summary(mine) + judged(decision))
    demo.console.print(text, markup=False, highlight=False)


def project_plan(plan: Plan, project: str) -> Plan:
    """The part of a plan that is one project's: its changes and its own quota rows."""
    return replace(
        plan,
        projects=(project,),
        changes=tuple(c for c in plan.changes if c.project == project),
        quotas=tuple(q for q in plan.quotas if q.project == project and q.scope == "project"),
        costs=tuple(c for c in plan.costs if c.project == project),
        diagnostics=(),
    )


def summary(plan: Plan) -> list[str]:
    """The plan's line, the VPC's objects one per line, the rest counted, the quotas it uses."""
    lines = [plan.summary.replace("Plan:", f"Plan for {plan.projects[0]}:")]
    shown = sorted((c for c in plan.changes if c.kind in SHOWN), key=lambda c: SHOWN.index(c.kind))
    for change in shown:
        kind = change.kind.replace("_", " ")
        lines.append(f"  {SYMBOL[change.action]} {kind:16} {change.name:11} {details(change)}")
    rest = Counter(c.kind.replace("_", " ") for c in plan.changes if c.kind not in SHOWN)
    lines.append("  and " + ", ".join(f"{kind} {n}" for kind, n in sorted(rest.items())))
    used = sorted(
        (q for q in plan.quotas if q.resource in QUOTAS), key=lambda q: QUOTAS.index(q.resource)
    )
    cells = ((q.resource.replace("_", " "), quota_cells(q)) for q in used)
    lines.append("quota: " + " · ".join(f"{name} {c[3]} of {c[4]}" for name, c in cells))
    return lines


def judged(decision: Decision) -> list[str]:
    """The shipped policies' word: denials (none expected), what they call out, approvals."""
    lines = [f"policy: {len(decision.deny)} denied, {len(decision.warn)} called out"]
    lines += [f"  deny  {finding.msg}" for finding in decision.deny]
    lines += [f"  warn  {finding.msg}" for finding in decision.warn]
    lines += [
        f"  needs {line}" for line in missing_approvals(decision.approvals, set(), lambda _: set())
    ]
    return lines
