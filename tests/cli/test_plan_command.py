"""`stackgate plan` as scripts use it: exit codes, formats, --base, against the built-in sandbox."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.cli import CHANGES, FAILED, NO_CHANGES, cli
from app.report.plan_markdown import MARKER

EXAMPLE = Path(__file__).parents[2] / "examples" / "infra"
runner = CliRunner()


@pytest.fixture(autouse=True)
def _no_configured_cloud(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("STACKGATE_CLOUDSTACK_URL", "STACKGATE_SANDBOX_STATE", "STACKGATE_PRICES"):
        monkeypatch.delenv(name, raising=False)


def _repo(tmp_path: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


def test_changes_exit_2_and_say_so_in_text() -> None:
    result = runner.invoke(cli, ["plan", str(EXAMPLE)])
    assert result.exit_code == CHANGES, result.output
    assert "No CloudStack configured: using the built-in sandbox" in result.output
    assert "Plan: 68 to create, 26 to update, 0 to replace, 0 to delete" in result.output


def test_nothing_to_change_exits_0(tmp_path: Path) -> None:
    repo = _repo(tmp_path, {"projects/payments.yaml": "zone: zone-a\n"})
    result = runner.invoke(cli, ["plan", str(repo)])
    assert result.exit_code == NO_CHANGES, result.output
    assert "Plan: 0 to create, 0 to update, 0 to replace, 0 to delete" in result.output


def test_errors_exit_1_with_the_line(tmp_path: Path) -> None:
    network = "{offering: DefaultIsolatedNetworkOfferingWithSourceNatService, cidr: 10.0.0.0/24}"
    text = f"zone: zone-a\nnetworks:\n  n: {network}\ninstances:\n"
    text += "  vm-1: {offering: meduim, template: debian-12, networks: [n]}\n"
    repo = _repo(tmp_path, {"projects/payments.yaml": text})
    result = runner.invoke(cli, ["plan", str(repo)])
    assert result.exit_code == FAILED
    assert (
        "projects/payments.yaml:5:" in result.output
        and "SG202 unknown service offering 'meduim'" in result.output
    )
    assert "did you mean 'medium'?" in result.output


def test_json_carries_everything_and_a_stable_hash() -> None:
    first = json.loads(runner.invoke(cli, ["plan", str(EXAMPLE), "--format", "json"]).output)
    second = json.loads(runner.invoke(cli, ["plan", str(EXAMPLE), "--format", "json"]).output)
    assert first["format_version"] == 1 and first["repo"] == "example.com/acme/infra"
    assert first["hash"] == second["hash"] and len(first["hash"]) == 64
    web = next(c for c in first["changes"] if c["address"] == "payments/instance/web-1")
    assert web["action"] == "create" and web["file"] == "projects/payments.yaml"
    assert web["after"]["offering"] == "medium" and web["after"]["root_disk_gib"] == 40
    assert {q["resource"] for q in first["quotas"]} >= {"instances", "cpu", "memory", "public_ips"}


def test_markdown_is_the_pull_request_comment() -> None:
    result = runner.invoke(cli, ["plan", str(EXAMPLE), "--format", "markdown"])
    assert result.output.startswith(MARKER)
    assert "#### Quota impact" in result.output


def test_policy_input_is_the_document_policies_judge() -> None:
    result = runner.invoke(cli, ["plan", str(EXAMPLE), "--format", "policy-input"])
    assert result.exit_code == CHANGES and result.output.endswith("}\n")
    document = json.loads(result.output)
    assert {"changes", "projects", "quotas"} <= set(document)
    assert "payments" in document["projects"]


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True)


def test_base_plans_only_the_projects_whose_files_changed(tmp_path: Path) -> None:
    repo = tmp_path / "infra"
    shutil.copytree(EXAMPLE, repo)
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "add", ".")
    _git(repo, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "infra")
    _git(repo, "checkout", "-q", "-b", "change")
    path = repo / "projects" / "search" / "compute.yaml"
    path.write_text(path.read_text().replace("offering: large", "offering: xlarge"))
    result = runner.invoke(cli, ["plan", str(repo), "--base", "main", "--format", "json"])
    plan = json.loads(result.output)
    assert plan["projects"] == ["search"]
    assert {c["project"] for c in plan["changes"]} == {"search"}


def test_a_deleted_project_file_still_plans_its_project(tmp_path: Path) -> None:
    repo = tmp_path / "infra"
    shutil.copytree(EXAMPLE, repo)
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "add", ".")
    _git(repo, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "infra")
    (repo / "projects" / "analytics.yaml").unlink()
    plan = json.loads(
        runner.invoke(cli, ["plan", str(repo), "--base", "main", "--format", "json"]).output
    )
    assert plan["projects"] == ["analytics"]


def test_a_bad_base_is_a_clear_failure(tmp_path: Path) -> None:
    repo = _repo(tmp_path, {"projects/payments.yaml": "zone: zone-a\n"})
    _git(repo, "init", "-q")
    result = runner.invoke(cli, ["plan", str(repo), "--base", "nope"])
    assert result.exit_code == FAILED
    assert result.output.startswith("git: ")


def test_the_example_passes_the_shipped_policies_with_the_findings_the_story_expects(
    tmp_path: Path,
) -> None:
    planned = runner.invoke(cli, ["plan", str(EXAMPLE), "--format", "policy-input"])
    document = tmp_path / "input.json"
    document.write_text(planned.output, encoding="utf-8")
    judged = runner.invoke(cli, ["policy", "eval", "--input", str(document)])
    decision = json.loads(judged.output)
    assert decision["deny"] == [] and decision["errors"] == []
    called_out = {(f["rule"], f["resource"]) for f in decision["warn"]}
    assert called_out >= {  # the VPC project's public web tier and its bastion's static NAT
        ("exposure/public", "checkout/network_acl_rule/web-acl:30"),
        ("exposure/public", "checkout/network_acl_rule/web-acl:40"),
        ("exposure/static-nat", "checkout/public_ip/jump-ip"),
    }
    assert not any("web-acl:10" in resource for _, resource in called_out)  # SSH: office only
    needed = {(r["reason"], tuple(r["from"])) for r in decision["approvals"]}
    assert (
        "changes to project checkout need an approval from one of its owners",
        ("@payments-leads", "alice"),
    ) in needed
