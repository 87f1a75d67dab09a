"""Domain rows of the quota table: the walk up to (not into) ROOT, pending of other pull
requests, and CloudStack's refusals (ResourceLimitManagerImpl) made at plan time."""

from __future__ import annotations

from dataclasses import replace

from app.cloudstack.model import DomainUsage, LiveState, Quota
from app.plan.domain_quota import domain_quotas
from app.plan.model import Action, Change, Plan, QuotaLine
from app.plan.quota import Pending
from app.spec.diagnostics import Code, Location

from .cloud import BASE, edit, live, plan_of, usage

ROOMY = {"instances": (3, 10), "cpu": (5, 20), "memory": (8192, 102400), "volumes": (4, 100)}
ROOMY |= {"primary_storage": (200, 10000), "networks": (1, 100), "public_ips": (1, 100)}
ROOT = DomainUsage("d-root", "ROOT", None, {"cpu": Quota(50, None, "count")})


def _domain(
    cpu: tuple[int, int | None], path: str = "ROOT/apps", parent: str = "d-root"
) -> DomainUsage:
    return DomainUsage(f"d-{path.rsplit('/', 1)[-1]}", path, parent, {"cpu": Quota(*cpu, "count")})


def _state(*domains: DomainUsage, cpu: tuple[int, int | None] = (5, 20)) -> LiveState:
    project = replace(usage(**{**ROOMY, "cpu": cpu}), domain_id=domains[0].id if domains else "")
    state = live([], usages={"app": project})
    return replace(state, domains={d.id: d for d in (*domains, ROOT)})


def _rows(plan: Plan) -> list[QuotaLine]:
    return [q for q in plan.quotas if q.scope == "domain"]


def test_each_domain_above_the_project_but_root_gets_a_row() -> None:
    retail = _domain((30, 120), "ROOT/apps/retail", "d-apps")
    plan = plan_of(BASE, state=_state(retail, _domain((70, 200))))
    rows = {(q.project, q.resource): q for q in _rows(plan)}
    assert sorted(rows) == [("ROOT/apps", "cpu"), ("ROOT/apps/retail", "cpu")]
    line = rows[("ROOT/apps/retail", "cpu")]
    assert (line.used, line.change, line.pending, line.limit, line.headroom) == (30, 1, 0, 120, 89)
    assert not plan.has_errors


def test_a_project_in_root_has_no_domain_rows() -> None:
    assert _rows(plan_of(BASE, state=_state(ROOT))) == []


def test_over_the_domain_is_cloudstacks_refusal_naming_who_holds_the_rest() -> None:
    pending = Pending(domains={"ROOT/apps": {"cpu": 4}}, holders={("ROOT/apps", "cpu"): (7, 9)})
    alone = plan_of(BASE, state=_state(_domain((35, 40))))
    assert not alone.has_errors
    plan = plan_of(BASE, state=_state(_domain((35, 40))), pending=pending)
    (row,) = _rows(plan)
    assert (row.pending, row.after, row.status) == (4, 40, "near")
    plan = plan_of(BASE, state=_state(_domain((36, 40))), pending=pending)
    (problem,) = [d for d in plan.diagnostics if d.is_error]
    assert problem.code is Code.QUOTA_EXCEEDED
    assert problem.message == (
        "Maximum domain resource limits of Type 'cpu' for Domain Id = d-apps is exceeded: "
        "Domain Resource Limit = 40, Current Domain Resource Amount = 36, Current Resource "
        "Reservation = 4, Requested Resource Amount = 1. Open pull requests #7, #9 hold the "
        "reservation in domain 'ROOT/apps'."
    )
    assert problem.hint is not None and problem.hint.startswith("wait for #7, #9 to merge")


def test_raising_a_project_above_its_domain_is_refused() -> None:
    text = edit("limits: {instances: 10, cpu: 20}", "limits: {instances: 10, cpu: 60}")
    plan = plan_of(text, state=_state(_domain((5, 40))))
    (problem,) = [d for d in plan.diagnostics if d.is_error]
    assert problem.message == (
        "project 'app' limit cpu is above its domain's: Domain apps(id: d-apps) has maximum "
        "allowed resource limit 40 for cpu, please specify a value less than or equal to 40"
    )
    assert (problem.location.file, problem.location.line) == ("projects/app.yaml", 2)
    (row,) = _rows(plan)  # the raised resource shows its domain row, with its headroom
    assert (row.resource, row.limit, row.headroom) == ("cpu", 40, 34)
    within = edit("limits: {instances: 10, cpu: 20}", "limits: {instances: 10, cpu: 40}")
    assert not plan_of(within, state=_state(_domain((5, 40)))).has_errors


def test_a_project_the_plan_creates_counts_in_the_domain_its_file_names() -> None:
    """Not in the cloud yet, so no usage names its domain: the `create project` change does.
    Its growth is judged in each domain of the walk, and so is each limit its file sets."""
    retail = _domain((30, 120), "ROOT/apps/retail", "d-apps")
    state = replace(live([]), domains={d.id: d for d in (retail, _domain((70, 200)), ROOT)})
    create = Change(Action.CREATE, "project", "fresh", "fresh", None, {"domain": retail.path})
    limit = Change(Action.UPDATE, "limits", "fresh", "cpu", {"limit": None}, {"limit": 150})
    lines = [QuotaLine("fresh", "cpu", "count", 0, 4, 0, 150)]
    found = domain_quotas(lines, [create, limit], state, Pending(), lambda _: Location("f", 2))
    rows = {row.project: (row.used, row.change, row.limit) for row in found.lines}
    assert rows == {"ROOT/apps": (70, 4, 200), "ROOT/apps/retail": (30, 4, 120)}
    (problem,) = found.diagnostics  # 150 fits ROOT/apps's 200, not retail's 120
    assert problem.message.startswith("project 'fresh' limit cpu is above its domain's: Domain ")
    assert "retail(id: d-retail) has maximum allowed resource limit 120" in problem.message
