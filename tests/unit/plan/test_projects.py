"""The project as a managed object: created before everything in it, changed in place,
deleted last and only when stackgate made it; its members added, re-roled and removed."""

from __future__ import annotations

from dataclasses import replace

from app.cloudstack.inventory import TAG_KEY, TAG_PROTECTED, TAG_REPO
from app.cloudstack.model import (
    Directory,
    DomainUsage,
    LiveState,
    ProjectDefaults,
    ProjectRef,
)
from app.plan.model import Action
from app.spec.diagnostics import Code

from .cloud import (
    CLOUD,
    FILE,
    REPO,
    actions,
    catalog,
    change,
    codes,
    live,
    network,
    plan_of,
    usage,
)

RETAIL = "ROOT/apps/retail"
DIRECTORY = Directory(
    {"ROOT": "d-root", "ROOT/apps": "d-apps", RETAIL: "d-retail"},
    frozenset({("d-retail", "retail-ops"), ("d-retail", "retail-dev"), ("d-apps", "apps-admin")}),
    {("d-retail", "alice"): "u-alice", ("d-retail", "erin"): "u-erin"},
)
# CloudStack's max.project.* settings as listConfigurations answers them (Config.java defaults)
DEFAULTS = ProjectDefaults({"instances": 20, "cpu": 40, "memory": 40960, "networks": 20})
NEW = f"""\
zone: zone-a
domain: {RETAIL}
display_text: Retail shop
members:
  - {{account: retail-ops, role: Admin}}
  - {{user: erin}}
limits: {{instances: 4}}
networks:
  shop-net: {{offering: DefaultIsolatedNetworkOfferingWithSourceNatService, cidr: 10.9.0.0/24}}
"""


def _cloud(
    projects: dict[str, ProjectRef] | None = None, members: dict[str, dict[str, str]] | None = None
) -> LiveState:
    """A cloud where 'app' does not exist unless ``projects`` say so."""
    refs = projects or {}
    state = live([], cloud_catalog=replace(catalog(()), projects=refs))
    state = replace(state, projects={k: v for k, v in state.projects.items() if k in refs})
    usages = {name: usage(name) for name in refs}
    return replace(
        state,
        usage=usages,
        directories={CLOUD: DIRECTORY},
        members=members or {},
        project_defaults={CLOUD: DEFAULTS},
    )


def _ours(name: str = "app", **more: str) -> ProjectRef:
    tags = {TAG_REPO: REPO, TAG_KEY: f"project/{name}", **more}
    return ProjectRef(f"p-{name}", name, tags, None, "d-retail", "Retail shop", "Active")


def test_a_missing_project_is_created_first_then_members_limits_and_resources() -> None:
    plan = plan_of(NEW, state=_cloud())
    assert plan.diagnostics == ()
    assert actions(plan) == [
        ("create", "project", "app"),
        ("create", "project_member", "user:erin"),
        ("update", "limits", "instances"),
        ("create", "network", "shop-net"),
    ]
    made = change(plan, "project", "app")
    assert made.after == {
        "domain": RETAIL,
        "display_text": "Retail shop",
        "state": "active",
        "owner": "retail-ops",
        "labels": {},
        "protected": False,
    }
    assert (made.file, made.line) == (FILE, 1)
    assert change(plan, "project_member", "user:erin").line == 6


def test_without_an_admin_account_the_configured_account_owns_it_and_stays() -> None:
    files = {
        "stackgate.yaml": "defaults: {project_account: retail-dev}\n",
        FILE: NEW.replace("{account: retail-ops, role: Admin}", "{user: alice, role: Admin}"),
    }
    plan = plan_of(files=files, state=_cloud())
    assert change(plan, "project", "app").after["owner"] == "retail-dev"  # type: ignore[index]
    assert ("delete", "project_member", "account:retail-dev") not in actions(plan)
    assert ("create", "project_member", "user:alice") in actions(plan)


def test_display_text_and_state_change_in_place_with_their_lines() -> None:
    text = NEW.replace("display_text: Retail shop", "display_text: Shop\nstate: suspended")
    members = {"app": {"account:retail-ops": "Admin", "user:erin": "Regular"}}
    plan = plan_of(text, state=_cloud({"app": _ours()}, members))
    updated = change(plan, "project", "app")
    assert updated.action is Action.UPDATE
    assert [(f.field, f.before, f.after) for f in updated.changed] == [
        ("display_text", "Retail shop", "Shop"),
        ("state", "active", "suspended"),
    ]
    assert updated.line == 3
    assert actions(plan)[-1] == ("update", "project", "app")  # suspended after the rest


def test_members_are_added_re_roled_and_removed() -> None:
    live_members = {"account:retail-ops": "Regular", "account:retail-dev": "Admin"}
    plan = plan_of(NEW, state=_cloud({"app": _ours()}, {"app": live_members}))
    assert [a for a in actions(plan) if a[1] == "project_member"] == [
        ("update", "project_member", "account:retail-ops"),
        ("create", "project_member", "user:erin"),
        ("delete", "project_member", "account:retail-dev"),
    ]
    assert change(plan, "project_member", "account:retail-ops").changed[0].after == "Admin"


def test_a_removed_file_deletes_what_stackgate_created_last_and_nothing_else() -> None:
    state = _cloud({"app": _ours(), "old": ProjectRef("p-old", "old", {TAG_REPO: REPO})})
    state = replace(state, projects={**state.projects, **live([network()]).projects})
    plan = plan_of(files={"projects/other.yaml": "zone: zone-a\n"}, state=state)
    assert actions(plan)[-1] == ("delete", "project", "app")
    assert ("delete", "network", "app-net") in actions(plan)
    assert all(c.name != "old" for c in plan.changes)


def test_bad_tenancy_is_a_diagnostic_and_plans_nothing_of_the_project() -> None:
    cases = [
        ("domain: ROOT/apps/retail", "domain: ROOT/apps/retial", Code.UNKNOWN_PROJECT),
        ("{user: erin}", "{user: nobody}", Code.UNKNOWN_MEMBER),
        ("- {user: erin}", "- {user: erin}\n  - {user: erin}", Code.DUPLICATE_MEMBER),
        ("{account: retail-ops, role: Admin}", "{user: alice, role: Admin}", Code.NO_PROJECT_OWNER),
    ]
    for old, new, code in cases:
        plan = plan_of(NEW.replace(old, new), state=_cloud())
        assert codes(plan) == [code.value], (old, codes(plan))
        assert plan.changes == ()


def test_no_admin_left_and_a_project_in_another_domain_are_errors() -> None:
    members = {"app": {"account:retail-ops": "Admin"}}
    demoted = NEW.replace("{account: retail-ops, role: Admin}", "{account: retail-ops}")
    plan = plan_of(demoted, state=_cloud({"app": _ours()}, members))
    assert codes(plan) == [Code.LAST_ADMIN.value] and plan.changes == ()
    elsewhere = replace(_ours(), domain_id="d-apps")
    plan = plan_of(NEW, state=_cloud({"app": elsewhere}, members))
    assert codes(plan) == [Code.PROJECT_ELSEWHERE.value]
    assert plan.diagnostics[0].location.line == 2


def test_a_protected_project_is_planned_as_protected_so_apply_refuses_to_delete_it() -> None:
    state = _cloud({"app": _ours(**{TAG_PROTECTED: "true"})})
    plan = plan_of(files={"projects/other.yaml": "zone: zone-a\n"}, state=state)
    gone = change(plan, "project", "app")
    assert gone.action is Action.DELETE and gone.protected


def test_a_deleted_project_names_its_domain_by_path() -> None:
    # A plan that only deletes reads no directory (nothing is created, no members listed),
    # but the domain tree (listDomains) is always read: the row says where, not an id.
    retail = DomainUsage("d-retail", RETAIL, "d-apps", {})
    state = replace(_cloud({"app": _ours()}), directories={}, domains={"d-retail": retail})
    plan = plan_of(files={"projects/other.yaml": "zone: zone-a\n"}, state=state)
    gone = change(plan, "project", "app")
    assert gone.before is not None and gone.before["domain"] == RETAIL


def test_a_new_projects_limits_start_from_the_clouds_project_defaults() -> None:
    plan = plan_of(NEW, state=_cloud())
    limit = change(plan, "limits", "instances")
    assert (limit.before, limit.after) == ({"limit": 20}, {"limit": 4})
    rows = {q.resource: q for q in plan.quotas if q.scope == "project"}
    assert (rows["instances"].limit, rows["cpu"].limit, rows["memory"].limit) == (4, 40, 40960)
    assert (rows["networks"].change, rows["networks"].limit) == (1, 20)


def test_unread_project_defaults_are_a_warning_and_unknown_not_unlimited() -> None:
    refused = ProjectDefaults({}, "listConfigurations: the key may not call it")
    plan = plan_of(NEW, state=replace(_cloud(), project_defaults={CLOUD: refused}))
    (warned,) = [d for d in plan.diagnostics if d.code is Code.PROJECT_DEFAULTS_UNREAD]
    assert not warned.is_error and "the key may not call it" in warned.message
    assert (warned.location.file, warned.location.line) == (FILE, 1)
    limit = change(plan, "limits", "instances")
    assert (limit.before, limit.after) == ({"limit": "unknown"}, {"limit": 4})
    rows = {q.resource: q for q in plan.quotas if q.scope == "project"}
    assert sorted(rows) == ["instances"]  # only the limit the file sets is known
    assert not plan.has_errors


def test_a_custom_project_role_the_cloud_lists_is_a_members_role() -> None:
    live_members = {"account:retail-ops": "Admin", "user:erin": "Regular"}
    state = replace(
        _cloud({"app": _ours()}, {"app": live_members}), project_roles={"app": ("operator",)}
    )
    plan = plan_of(NEW.replace("{user: erin}", "{user: erin, role: operator}"), state=state)
    assert not plan.has_errors
    made = change(plan, "project_member", "user:erin")
    assert made.action is Action.UPDATE
    assert (made.before, made.after) == ({"role": "Regular"}, {"role": "operator"})
    assert [(f.field, f.before, f.after) for f in made.changed] == [("role", "Regular", "operator")]
    back = {"account:retail-ops": "Admin", "user:erin": "operator"}
    plan = plan_of(NEW, state=replace(state, members={"app": back}))
    assert change(plan, "project_member", "user:erin").changed[0].after == "Regular"
    plan = plan_of(
        NEW.replace("{user: erin}", "{user: erin, role: operator}"),
        state=replace(state, members={"app": back}),
    )
    assert [c for c in plan.changes if c.kind == "project_member"] == []


def test_a_role_the_project_does_not_have_names_the_roles_it_has() -> None:
    state = replace(_cloud({"app": _ours()}, {"app": {}}), project_roles={"app": ("operator",)})
    plan = plan_of(NEW.replace("{user: erin}", "{user: erin, role: auditor}"), state=state)
    (problem,) = [d for d in plan.diagnostics if d.is_error]
    assert problem.code is Code.UNKNOWN_ROLE
    assert "'auditor'" in problem.message and "Admin, Regular, operator" in problem.message
    assert (problem.location.file, problem.location.line) == (FILE, 6)
    assert plan.changes == ()
    plan = plan_of(NEW.replace("{user: erin}", "{user: erin, role: auditor}"), state=_cloud())
    assert codes(plan) == [Code.UNKNOWN_ROLE.value]  # a new project has no custom roles yet
