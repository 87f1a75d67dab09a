"""Which policies judge, what they are given, and the committed schema of that input."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
from typer.testing import CliRunner

from app.cli import cli
from app.events.model import Approval, PullRequest
from app.plan.model import Action, Change, Plan, QuotaLine
from app.policy.input import INPUT_SCHEMA_FILE, build_input, render_input_schema
from app.policy.sources import policy_set, shipped_policies
from app.spec import load_desired_state
from app.spec.sources import MemorySource

ROOT = Path(__file__).parents[2]
runner = CliRunner()


def test_repo_policies_are_kept_apart_after_the_trusted_ones_and_bring_no_data(
    tmp_path: Path,
) -> None:
    (tmp_path / "data.json").write_text(
        json.dumps({"stackgate_config": {"platform_group": "@ops", "sizes": {"max_cpu": 4}}})
    )
    (tmp_path / "extra.rego").write_text("package stackgate\n")
    repo = {
        "policies/mine.rego": "package stackgate\n",
        "policies/mine_test.rego": "package stackgate_test.mine\n",
        "policies/data.json": '{"stackgate_config": {"sizes": {"max_cpu": 999}}}',
    }
    policies = policy_set(
        [(shipped_policies(), "policies"), (tmp_path, "ops")], repo, {"platform_group": "@cloud"}
    )
    assert [m.name for m in policies.modules][-1] == "ops/extra.rego"
    assert [m.name for m in policies.repo] == ["repo:policies/mine.rego"]
    assert [m.name for m in policies.together.modules][-2:] == [
        "ops/extra.rego",
        "repo:policies/mine.rego",
    ]
    assert policies.data["stackgate_config"]["sizes"] == {"max_cpu": 4, "max_memory_mib": 65536}
    assert policies.data["stackgate_config"]["platform_group"] == "@cloud"  # settings win
    assert policies.notes == ()


def test_untested_or_empty_repo_policies_are_reported_not_passed() -> None:
    untested = policy_set([], {"policies/mine.rego": "package stackgate\n"})
    assert untested.notes == (
        "repo:policies/mine.rego has no tests (repo:policies/mine_test.rego): "
        "it is applied, but untested",
    )
    empty = policy_set([], {"policies/README.md": "nothing yet"})
    assert empty.notes == (
        "the repo's policies/ folder has no .rego policies: only the platform's defaults apply",
    )


def test_the_content_hash_changes_with_any_module_or_data() -> None:
    one = policy_set([], {"policies/a.rego": "package stackgate\n"})
    two = policy_set([], {"policies/a.rego": "package stackgate\n# changed\n"})
    assert one.content_hash != two.content_hash
    assert (
        one.content_hash == policy_set([], {"policies/a.rego": "package stackgate\n"}).content_hash
    )


def _input() -> dict[str, object]:
    desired = load_desired_state(
        MemorySource(
            {
                "projects/payments.yaml": b"owners: [alice]\nzone: z\n"
                b"limits: {memory: 8GiB, cpu: unlimited}\n"
            }
        )
    )
    changes = (
        Change(Action.UPDATE, "limits", "payments", "memory", {"limit": 4096}, {"limit": 8192}),
    )
    plan = Plan(
        "r", ("payments",), changes, (QuotaLine("payments", "memory", "MiB", 1024, 0, 0, 8192),)
    )
    pull_request = PullRequest(
        "github",
        "acme/infra",
        3,
        "bob",
        "main",
        "f00",
        ("infra",),
        True,
        (Approval("alice", "f00"),),
    )
    return build_input(plan, desired, pull_request)


def test_the_input_document_carries_the_plan_projects_quotas_and_approvals() -> None:
    document = _input()
    assert document["pull_request"] == {
        "number": 3,
        "author": "bob",
        "labels": ["infra"],
        "base_ref": "main",
        "head_sha": "f00",
        "forge": "github",
        "draft": True,
        "approvals": [{"user": "alice", "commit": "f00"}],
    }
    assert document["changes"][0]["address"] == "payments/limits/memory"  # type: ignore[index]
    assert document["projects"]["payments"]["limits"] == {"memory": "8GiB", "cpu": "unlimited"}  # type: ignore[index]
    assert document["quotas"] == {
        "payments": {
            "memory": {
                "used": 1024,
                "change": 0,
                "pending": 0,
                "after": 1024,
                "limit": 8192,
                "unit": "MiB",
            }
        }
    }


def test_the_committed_schema_is_current_and_describes_the_input() -> None:
    committed = (ROOT / INPUT_SCHEMA_FILE).read_text(encoding="utf-8")
    assert committed == render_input_schema(), "run `make schemas` and commit the result"
    jsonschema.Draft202012Validator(json.loads(committed)).validate(_input())


def test_policy_eval_prints_the_decision_and_fails_on_errors(tmp_path: Path) -> None:
    path = tmp_path / "input.json"
    path.write_text(json.dumps(_input()))
    result = runner.invoke(cli, ["policy", "eval", "--input", str(path)])
    assert result.exit_code == 0, result.output
    decision = json.loads(result.output)
    assert {r["reason"] for r in decision["approvals"]} == {
        "changes to project payments need an approval from one of its owners",
        "changes to the limits of project payments need the platform team",
    }
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "x.rego").write_text("package stackgate\n\ndeny contains x if {\n")
    result = runner.invoke(cli, ["policy", "eval", "--input", str(path), "--policies", str(broken)])
    assert result.exit_code == 1
    assert json.loads(result.output)["errors"][0].startswith(f"{broken}/x.rego:")


def test_policy_test_runs_the_shipped_tests() -> None:
    result = runner.invoke(cli, ["policy", "test"])
    assert result.exit_code == 0, result.output
    assert "0 failed (embedded (regorus))" in result.output
