"""`stackgate import` writes the project itself too: its display text, members with their
project roles (custom ones by name) and limits, as the cloud has them, so a plan of the file
changes none of them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
from typer.testing import CliRunner

from app.cli import FAILED, cli
from app.cloudstack.model import ProjectRef
from app.imports.project import project_settings
from app.sandbox.server import RunningSandbox
from app.spec import load_repo
from app.spec.units import Size

runner = CliRunner()
# resourcetype of updateResourceLimit → value: instances, cpu (unlimited), memory MiB, storage GiB
LIMITS = {0: 20, 8: -1, 9: 8192, 10: 100}


def _retail_project(cs: Any) -> str:
    """A project of ROOT/apps/retail owned by retail-ops, with members and limits set by hand."""
    retail = cs.listDomains(name="retail")["domain"][0]["id"]
    project = cs.createProject(
        name="checkout", displaytext="Retail checkout", domainid=retail, account="retail-ops"
    )["project"]["id"]
    cs.addAccountToProject(projectid=project, account="retail-qa")
    role = cs.createProjectRole(projectid=project, name="operator")["projectrole"]["id"]
    cs.addUserToProject(projectid=project, username="erin", projectroleid=role)
    for resource, value in LIMITS.items():
        cs.updateResourceLimit(projectid=project, resourcetype=resource, max=value)
    return str(project)


def test_members_limits_and_display_text_are_imported(cs: Any, tmp_path: Path) -> None:
    _retail_project(cs)
    result = runner.invoke(cli, ["import", "--project", "checkout", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    desired = load_repo(tmp_path)
    assert desired.ok, [str(d) for d in desired.diagnostics]
    project = desired.projects["checkout"]
    assert (project.domain, project.display_text) == ("ROOT/apps/retail", "Retail checkout")
    assert project.members is not None
    assert {(m.key, m.role) for m in project.members} == {
        ("account:retail-ops", "Admin"),
        ("account:retail-qa", "Regular"),
        ("user:erin", "operator"),
    }
    limits = project.limits
    assert (limits.instances, limits.cpu) == (20, "unlimited")
    assert (limits.memory, limits.primary_storage) == (Size(8192), Size(100 * 1024))
    assert all(getattr(limits, name) is not None for name in type(limits).model_fields)
    # the plan of the imported file leaves the project as it is
    plan = runner.invoke(cli, ["plan", str(tmp_path), "--format", "json"])
    assert plan.exit_code in (0, 2), plan.output
    changes = json.loads(plan.stdout)["changes"]
    assert [c for c in changes if c["kind"] in ("project", "project_member", "limits")] == []


def test_a_member_the_format_cannot_name_leaves_membership_unmanaged() -> None:
    """members: is the whole membership: a list missing one would remove it, so none is
    written, and what is left out says why. (The sandbox makes no accounts: rows as literals.)"""
    rows = [
        {"account": "retail-ops", "role": "Admin"},
        {"account": "QA Team", "role": "Regular"},
    ]
    settings, skipped = project_settings(ProjectRef("p-1", "checkout"), rows, {})
    assert "members" not in settings
    assert [(s.kind, s.name) for s in skipped] == [("member", "account:QA Team")]
    assert "breaks the rule" in skipped[0].reason and "unmanaged" in skipped[0].reason


def test_members_the_cloud_will_not_list_leave_membership_unmanaged(
    cs: Any, sandbox: RunningSandbox, tmp_path: Path
) -> None:
    """A key that may read the project's objects but not its accounts (CloudStack refuses
    listProjectAccounts to a caller without access to the project) still imports the rest."""
    _retail_project(cs)
    refusal = {"command": "listProjectAccounts", "count": 1, "errorcode": 531,
               "errortext": "Permission denied"}  # fmt: skip
    knobs = sandbox.url.replace("/client/api", "/sandbox/knobs")
    httpx.post(knobs, json={"fail_next": [refusal]}, timeout=10).raise_for_status()
    result = runner.invoke(cli, ["import", "--project", "checkout", "--out", str(tmp_path)])
    assert result.exit_code == FAILED, result.output
    assert "members: the cloud refused listProjectAccounts (531: Permission denied)" in (
        result.output
    )
    desired = load_repo(tmp_path)
    assert desired.ok and desired.projects["checkout"].members is None
    assert desired.projects["checkout"].limits.instances == 20
