"""After `stackgate import --project`, an instance keeps its key pair: CloudStack does not return
public keys, so the key pair is written with a placeholder the validator flags at its line,
and once the public key is pasted the plan adopts the key pair and the instance as they run."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from app.cli import FAILED, cli
from app.imports.keys import PASTE
from app.spec import load_repo
from tests.imports.test_import_command import _build, _ids, paste
from tests.sandbox.conftest import ssh_public_key

runner = CliRunner()
TARGET = Path("projects") / "payments.yaml"


def _with_key(cs: Any) -> None:
    """The hand-made project, with a VM deployed with the key pair ops."""
    made = _build(cs)
    cs.deleteNetwork(id=made["legacy"])  # its name is not a valid key: not this test's
    cs.deployVirtualMachine(
        name="db-1",
        zoneid=made["zone"],
        templateid=made["template"],
        networkids=made["net"],
        serviceofferingid=_ids(cs, "listServiceOfferings", "serviceoffering")["small"],
        projectid=_ids(cs, "listProjects", "project", name="payments")["payments"],
        keypair="ops",
    )


def test_a_key_pair_is_written_with_a_placeholder_and_its_instance_keeps_it(
    cs: Any, tmp_path: Path
) -> None:
    _with_key(cs)
    result = runner.invoke(cli, ["import", "--project", "payments", "--out", str(tmp_path)])
    assert result.exit_code == FAILED, result.output  # the key is still to paste: CI notices
    assert "ssh_key ops" in result.output and "paste" in result.output
    text = (tmp_path / TARGET).read_text(encoding="utf-8")
    (line,) = [n for n, row in enumerate(text.splitlines(), 1) if PASTE in row]
    assert "ssh_key: ops" in text  # db-1 keeps its key pair
    desired = load_repo(tmp_path)
    (problem,) = desired.diagnostics  # the placeholder, at its line, and nothing else
    assert (problem.code, problem.location.line) == ("SG108", line)
    assert "paste" in str(problem)

    paste(tmp_path / TARGET, ssh_public_key(1))
    assert load_repo(tmp_path).ok
    planned = runner.invoke(cli, ["plan", str(tmp_path), "--format", "json"])
    assert planned.exit_code in (0, 2), planned.output
    plan = json.loads(planned.stdout)
    assert plan["diagnostics"] == []
    assert {c["action"] for c in plan["changes"]} == {"adopt"}
    assert {("ssh_key", "ops"), ("instance", "db-1")} <= {
        (c["kind"], c["name"]) for c in plan["changes"]
    }
    assert [c["name"] for c in plan["changes"] if c["changed"]] == []  # the key stays
