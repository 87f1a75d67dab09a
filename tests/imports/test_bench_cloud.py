"""One project of the import bench's cloud, untagged as bench/import.py leaves it: imported, its
plan only adopts (issue 17). The bench's rows must read as the sandbox answers for objects made
through its API, or the bench measures a cloud no CloudStack serves."""

from __future__ import annotations

import importlib
import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from app.cli import cli
from app.cloudstack.inventory import LISTS, Reading
from app.sandbox.launch import build_api
from app.sandbox.seed import project_row
from app.sandbox.server import RunningSandbox, serve_in_background
from bench.plan import _rows
from tests.imports.test_import_command import _build
from tests.sandbox.conftest import API_KEY, SECRET_KEY, signed_cs

runner = CliRunner()
bench_import = importlib.import_module("bench.import")  # `import` is a keyword
PROJECT = "team-000"
MEMBERS = "listLoadBalancerRuleInstances"


def _serve(monkeypatch: pytest.MonkeyPatch, untagged: bool) -> RunningSandbox:
    """The sandbox holding one project of the bench's cloud, tagged as bench/plan.py leaves
    it or with every stackgate tag taken off."""
    api = build_api(api_key=API_KEY, secret_key=SECRET_KEY)
    project = api.state.table("projects").add(project_row(api.state, PROJECT))
    for table, row in _rows(api.state, project, 0):
        api.state.table(table).add(row)
    if untagged:
        bench_import.untag(api.state)
    running = serve_in_background(api)
    monkeypatch.delenv("STACKGATE_SANDBOX_STATE", raising=False)
    monkeypatch.setenv("STACKGATE_CLOUDSTACK_URL", running.url)
    monkeypatch.setenv("STACKGATE_CLOUDSTACK_API_KEY", API_KEY)
    monkeypatch.setenv("STACKGATE_CLOUDSTACK_SECRET_KEY", SECRET_KEY)
    return running


@pytest.fixture
def bench_sandbox(monkeypatch: pytest.MonkeyPatch) -> Iterator[RunningSandbox]:
    running = _serve(monkeypatch, untagged=True)
    yield running
    running.stop()


@pytest.fixture
def managed_sandbox(monkeypatch: pytest.MonkeyPatch) -> Iterator[RunningSandbox]:
    running = _serve(monkeypatch, untagged=False)
    yield running
    running.stop()


def _import(repo: Path) -> None:
    done = runner.invoke(cli, ["import", "--project", PROJECT, "--out", str(repo)])
    assert done.exit_code == 0, done.output


def _plan(repo: Path) -> dict[str, Any]:
    planned = runner.invoke(cli, ["plan", str(repo), "--format", "json"])
    assert planned.exit_code in (0, 2), planned.output
    found: dict[str, Any] = json.loads(planned.stdout)
    return found


@pytest.mark.usefixtures("bench_sandbox")
def test_a_bench_project_imported_plans_only_adopts(tmp_path: Path) -> None:
    _import(tmp_path)
    plan = _plan(tmp_path)
    assert plan["diagnostics"] == []
    assert Counter((c["action"], c["kind"]) for c in plan["changes"]) == {
        ("adopt", "network"): 5,
        ("adopt", "public_ip"): 5,
        ("adopt", "instance"): 20,
        ("adopt", "volume"): 10,
        ("adopt", "firewall"): 5,
        ("adopt", "port_forward"): 3,
        ("adopt", "load_balancer"): 2,
    }
    # an untagged load balancer's members are read from the cloud: nothing to set again
    assert [c["name"] for c in plan["changes"] if c["changed"]] == []


def test_members_are_read_only_for_the_untagged_load_balancers_the_repo_declares(
    bench_sandbox: RunningSandbox, tmp_path: Path
) -> None:
    _import(tmp_path)
    calls = bench_sandbox.api.calls
    before = calls[MEMBERS]
    _plan(tmp_path)
    assert calls[MEMBERS] - before == 2  # lb-0 and lb-1, one call each
    project = tmp_path / "projects" / f"{PROJECT}.yaml"
    text = project.read_text(encoding="utf-8")
    project.write_text(text.replace("  lb-1:", "  lb-9:"), encoding="utf-8")
    before = calls[MEMBERS]
    changes = _plan(tmp_path)["changes"]
    assert calls[MEMBERS] - before == 1  # lb-9 runs nowhere: created, its members known
    assert ("create", "lb-9") in {(c["action"], c["name"]) for c in changes}


def test_a_plan_of_a_managed_cloud_reads_no_members(
    managed_sandbox: RunningSandbox, tmp_path: Path
) -> None:
    _import(tmp_path)
    (tmp_path / "stackgate.yaml").write_text("version: 1\nrepo: bench/plan\n", encoding="utf-8")
    before = managed_sandbox.api.calls[MEMBERS]
    assert _plan(tmp_path)["changes"] == []
    assert managed_sandbox.api.calls[MEMBERS] == before


class _Watched(dict[str, Any]):
    """A listed row that remembers which of its fields the reader looked at."""

    def __init__(self, row: dict[str, Any]) -> None:
        super().__init__(row)
        self.read: set[str] = set()

    def get(self, key: str, default: Any = None) -> Any:
        self.read.add(key)
        return super().get(key, default)

    def __getitem__(self, key: str) -> Any:
        self.read.add(key)
        return super().__getitem__(key)


def _set(value: Any) -> bool:
    return value not in (None, "", [], False)


def _listed(cs: Any, command: str, project: str, **extra: str) -> list[dict[str, Any]]:
    answer = getattr(cs, command)(projectid=project, **extra)
    return [row for key, rows in answer.items() if key != "count" for row in rows]


def test_the_bench_rows_carry_every_field_the_reader_reads_of_the_sandboxs_own(
    bench_sandbox: RunningSandbox,
) -> None:
    """Objects made through the sandbox's API beside the bench's rows: every field the reader
    reads and finds set in the former, the latter carries too (an unset one, such as no
    affinity groups, CloudStack may leave out)."""
    cs = next(signed_cs(bench_sandbox, poll_interval=0.05, fetch_result=True))
    _build(cs)
    projects = {row["name"]: row["id"] for row in cs.listProjects(listall=True)["project"]}
    missing = {}
    for kind, (command, extra) in LISTS.items():
        made = [_Watched(row) for row in _listed(cs, command, projects["payments"], **extra)]
        for row in made:
            getattr(Reading(), kind)(row)
        wanted = {key for row in made for key in row.read if _set(dict.get(row, key))}
        for bench_row in _listed(cs, command, projects[PROJECT], **extra):
            if wanted - set(bench_row):
                missing[kind] = sorted(wanted - set(bench_row))
    assert missing == {}
