"""`stackgate import --all-projects` reads the cloud's projects together and writes the same
file for each as a one-project import does; a write that fails leaves the old file whole."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from app.cli import FAILED, cli
from tests.imports.test_import_command import _build

runner = CliRunner()
TARGET = Path("projects") / "payments.yaml"


def test_all_projects_read_together_give_the_same_files(cs: Any, tmp_path: Path) -> None:
    _build(cs)
    one, every = tmp_path / "one", tmp_path / "all"
    runner.invoke(cli, ["import", "--project", "payments", "--out", str(one)])
    result = runner.invoke(cli, ["import", "--all-projects", "--out", str(every)])
    assert result.exit_code == FAILED, result.output  # payments holds what cannot be mapped
    # the sandbox's four projects: more than the plan's reader reads one by one
    assert sorted(p.name for p in (every / "projects").iterdir()) == [
        "analytics.yaml",
        "checkout.yaml",
        "payments.yaml",
        "search.yaml",
    ]
    assert (every / TARGET).read_bytes() == (one / TARGET).read_bytes()


def test_a_failed_write_leaves_the_old_file_and_no_temporary_one(
    cs: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _build(cs)
    (tmp_path / "projects").mkdir()
    (tmp_path / TARGET).write_text("project: payments\n", encoding="utf-8")

    def full_disk(*_paths: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", full_disk)
    result = runner.invoke(cli, ["import", "--project", "payments", "--out", str(tmp_path)])
    assert result.exit_code == FAILED
    assert "stackgate import:" in result.output and "No space left" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert (tmp_path / TARGET).read_text(encoding="utf-8") == "project: payments\n"
    assert [p.name for p in (tmp_path / "projects").iterdir()] == ["payments.yaml"]
