"""`stackgate validate`, `schema` and `--version` as a user and a script see them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from app.cli import cli

ROOT = Path(__file__).parents[3]
EXAMPLE = ROOT / "examples" / "infra"
FIXTURES = ROOT / "tests" / "fixtures" / "spec"
runner = CliRunner()


def test_example_repo_is_valid() -> None:
    result = runner.invoke(cli, ["validate", str(EXAMPLE)])
    assert result.exit_code == 0, result.output
    assert "valid — 4 projects, 56 resources" in result.output


def test_problems_are_one_line_each_in_editor_form() -> None:
    result = runner.invoke(cli, ["validate", str(FIXTURES / "unknown_field")])
    assert result.exit_code == 1
    assert result.output.splitlines()[0] == (
        "projects/app.yaml:7:5: error SG104 unknown field 'ofering' (did you mean 'offering'?)"
    )
    assert "Traceback" not in result.output


def test_json_output_for_scripts() -> None:
    result = runner.invoke(cli, ["validate", str(FIXTURES / "wrong_type"), "--format", "json"])
    assert result.exit_code == 1
    report = json.loads(result.output)
    assert report["valid"] is False and report["errors"] == 2
    assert report["diagnostics"][0] == {
        "severity": "error",
        "code": "SG105",
        "message": "cost-center must be text, not the number 4711",
        "file": "projects/app.yaml",
        "line": 4,
        "column": 16,
        "hint": 'quote it: "4711"',
    }


def test_warnings_alone_do_not_fail(tmp_path: Path) -> None:
    result = runner.invoke(cli, ["validate", str(tmp_path)])
    assert result.exit_code == 0
    assert "warning SG130 no project files found" in result.output


def test_missing_path_is_a_usage_error() -> None:
    result = runner.invoke(cli, ["validate", "/no/such/repo"])
    assert result.exit_code == 2


def test_version() -> None:
    result = runner.invoke(cli, ["--version"])
    assert result.exit_code == 0 and result.output.startswith("stackgate ")


COMMANDS = sorted(typer.main.get_group(cli).commands)


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(command: str) -> None:
    result = runner.invoke(cli, [command, "--help"])
    assert result.exit_code == 0
    assert "Usage:" in result.output
