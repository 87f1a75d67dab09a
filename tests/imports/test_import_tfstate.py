"""`stackgate import --from-tfstate`: a version 4 state of the CloudStack provider → the project
file of what it manages, found in the sandbox by its ids; anything else is one message."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from app.cli import FAILED, cli
from app.spec import load_repo
from tests.imports.test_import_command import _build

runner = CliRunner()
PROVIDER = 'provider["registry.terraform.io/cloudstack/cloudstack"]'
# OpenTofu names the same provider on its own registry (tests/clients has a state it wrote)
TOFU_PROVIDER = 'provider["registry.opentofu.org/cloudstack/cloudstack"]'


def _resource(
    kind: str, name: str, attributes: dict[str, Any], provider: str = PROVIDER
) -> dict[str, Any]:
    return {
        "mode": "managed",
        "type": kind,
        "name": name,
        "provider": provider,
        "instances": [{"schema_version": 0, "attributes": attributes}],
    }


def _state(resources: list[dict[str, Any]], version: int = 4) -> dict[str, Any]:
    return {"version": version, "terraform_version": "1.8.0", "serial": 3, "resources": resources}


@pytest.mark.parametrize("provider", [PROVIDER, TOFU_PROVIDER], ids=["terraform", "opentofu"])
def test_the_state_objects_are_imported_and_the_rest_listed(
    provider: str, cs: Any, tmp_path: Path
) -> None:
    made = _build(cs)
    network = {"id": made["net"], "project": "payments"}
    state = _state(
        [
            _resource("cloudstack_network", "app", network, provider),
            _resource("cloudstack_instance", "web", {"id": made["vm"], "project": "payments"}),
            _resource("cloudstack_instance", "gone", {"id": "no-such-id", "project": "payments"}),
            _resource("cloudstack_vpc", "main", {"id": "v-1", "project": "payments"}),
            # the provider's firewall resource takes its address's id; with no rules it
            # manages nothing, and the address (not in the state) must not move with it
            _resource("cloudstack_firewall", "none", {"id": made["ip_id"], "project": "payments"}),
        ]
    )
    (tmp_path / "terraform.tfstate").write_text(json.dumps(state), encoding="utf-8")
    out = tmp_path / "repo"
    args = ["import", "--from-tfstate", str(tmp_path / "terraform.tfstate"), "--out", str(out)]
    result = runner.invoke(cli, args)
    assert result.exit_code == FAILED, result.output
    assert "cloudstack_vpc.main: a resource type stackgate does not model" in result.output
    assert "cloudstack_instance.gone: not found in the cloud" in result.output
    desired = load_repo(out)
    assert desired.ok, [str(d) for d in desired.diagnostics]
    project = desired.projects["payments"]
    assert list(project.networks) == ["app-net"] and list(project.instances) == ["web-1"]
    assert not project.volumes and not project.public_ips  # not in the state: not moved


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (json.dumps(_state([], version=3)), "version 3; only version 4"),
        ('{"version": 4, "resources": [', "not a readable JSON state"),
        ("not json", "not a readable JSON state"),
        (
            json.dumps(
                _state([{**_resource("aws_instance", "x", {"id": "i"}), "provider": "aws"}])
            ),
            "no resources of the CloudStack provider",
        ),
    ],
)
def test_a_bad_state_is_one_message_and_no_file(text: str, message: str, tmp_path: Path) -> None:
    (tmp_path / "bad.tfstate").write_text(text, encoding="utf-8")
    args = ["import", "--from-tfstate", str(tmp_path / "bad.tfstate"), "--out", str(tmp_path)]
    result = runner.invoke(cli, args)
    assert result.exit_code == FAILED and message in result.output, result.output
    assert "Traceback" not in result.output and not (tmp_path / "projects").exists()
