"""`stackgate reconcile`: drift of the whole repo against the sandbox, printed and recorded."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from app.cli import CHANGES, FAILED, NO_CHANGES, cli
from app.store.database import open_store
from app.store.tables import DriftReport

runner = CliRunner()
NETWORK = "{offering: DefaultIsolatedNetworkOfferingWithSourceNatService, cidr: 10.0.0.0/24}"


@pytest.fixture(autouse=True)
def _sandbox_and_store(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("STACKGATE_CLOUDSTACK_URL", "STACKGATE_SANDBOX_STATE", "STACKGATE_PRICES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("STACKGATE_DATABASE_URL", f"sqlite:///{tmp_path / 'store.db'}")


def _repo(root: Path, text: str) -> Path:
    (root / "repo" / "projects").mkdir(parents=True)
    (root / "repo" / "projects" / "payments.yaml").write_text(text, encoding="utf-8")
    return root / "repo"


def _reports(tmp_path: Path) -> list[DriftReport]:
    with open_store(f"sqlite:///{tmp_path / 'store.db'}")() as session:
        return list(session.scalars(select(DriftReport)))


def test_a_matching_cloud_has_no_drift(tmp_path: Path) -> None:
    result = runner.invoke(cli, ["reconcile", str(_repo(tmp_path, "zone: zone-a\n"))])
    assert result.exit_code == NO_CHANGES, result.output
    assert "the cloud matches the default branch" in result.output
    (report,) = _reports(tmp_path)
    assert report.items == {"drift": []} and report.problems == 0


def test_missing_and_changed_resources_are_drift(tmp_path: Path) -> None:
    text = f"zone: zone-a\nlimits: {{instances: 7}}\nnetworks:\n  app: {NETWORK}\n"
    result = runner.invoke(cli, ["reconcile", str(_repo(tmp_path, text)), "--format", "json"])
    assert result.exit_code == CHANGES, result.output
    document = json.loads(result.output)
    assert document["counts"] == {"missing": 1, "changed": 1, "leftover": 0, "unadopted": 0}
    kinds = {item["address"]: (item["kind"], item["detail"]) for item in document["drift"]}
    assert kinds["payments/network/app"][0] == "missing"
    assert kinds["payments/limits/instances"] == ("changed", "cloud → repo: limit 20 → 7")
    (report,) = _reports(tmp_path)
    assert report.items["drift"] == document["drift"]


def test_a_broken_repo_is_a_problem_not_a_clean_bill(tmp_path: Path) -> None:
    repo = _repo(tmp_path, "zone: zone-a\nnetworks:\n  app: {ofering: x}\n")
    result = runner.invoke(cli, ["reconcile", str(repo), "--no-record"])
    assert result.exit_code == FAILED
    assert "SG104" in result.output
    assert _reports(tmp_path) == []
