"""OpenTofu with the official CloudStack provider, unpatched and built from its pinned source,
takes one config of every kind both model through plan, apply, a no-change plan, an in-place
update and destroy against a fresh sandbox; the sandbox's own API confirms each step."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from app.sandbox.server import RunningSandbox
from bench.clients import tofu_env
from tests.clients.conftest import API_KEY, SECRET_KEY, skip_unless_served, tool
from tests.clients.test_ansible import ssh_public_key
from tests.sandbox.conftest import CloudStackHttp

pytestmark = pytest.mark.clients

CONFIG = Path(__file__).with_name("tofu") / "main.tf"
NO_CHANGES, CHANGES = 0, 2  # `plan -detailed-exitcode`


class Tofu:
    """`tofu` in a working folder of its own, the provider found through dev_overrides."""

    def __init__(self, folder: Path, cloud: RunningSandbox, balancer: bool) -> None:
        shutil.copy(CONFIG, folder / "main.tf")
        self.binary, self.folder = tool("tofu"), folder
        self.env = tofu_env(folder, tool("terraform-provider-cloudstack"))
        self.variables: dict[str, object] = {
            "api_url": cloud.url,
            "api_key": API_KEY,
            "secret_key": SECRET_KEY,
            "ssh_public_key": ssh_public_key(),
            "offering": "small",
            "disk_size": 20,
            "balancer": balancer,
        }

    def __call__(self, *args: str, expect: int = 0) -> str:
        """Run a command with the config's variables; its output, or the test fails."""
        variables = json.dumps(self.variables)
        (self.folder / "terraform.tfvars.json").write_text(variables, encoding="utf-8")
        run = subprocess.run(
            [str(self.binary), args[0], "-no-color", *args[1:]],
            cwd=self.folder,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert run.returncode == expect, run.stdout[-6000:] + run.stderr[-4000:]
        return run.stdout


def project_items(api: CloudStackHttp, command: str, **params: object) -> list[dict[str, Any]]:
    project = api.one("listProjects", name="payments")["id"]
    return api.items(command, projectid=project, **params)


@pytest.mark.parametrize("balancer", [False, True], ids=["without-balancer", "with-balancer"])
def test_tofu_plans_applies_updates_and_destroys(
    balancer: bool, cloud: RunningSandbox, tmp_path: Path
) -> None:
    if balancer:
        skip_unless_served("the provider's cloudstack_loadbalancer_rule", "listAutoScaleVmGroups")
    tofu, api = Tofu(tmp_path, cloud, balancer), CloudStackHttp(cloud.url, API_KEY, SECRET_KEY)
    made = 9 if balancer else 8

    assert f"Plan: {made} to add, 0 to change, 0 to destroy." in tofu(
        "plan", "-detailed-exitcode", "-out=tfplan", expect=CHANGES
    )
    assert f"Resources: {made} added, 0 changed, 0 destroyed." in tofu("apply", "tfplan")
    assert "No changes." in tofu("plan", "-detailed-exitcode", expect=NO_CHANGES)
    (vm,) = project_items(api, "listVirtualMachines", name="web-1")
    assert (vm["serviceofferingname"], vm["state"]) == ("small", "Running")
    rules = project_items(api, "listLoadBalancerRules")
    assert [rule["name"] for rule in rules] == (["web-lb"] if balancer else [])

    tofu.variables.update(offering="medium", disk_size=40)
    assert "Resources: 0 added, 2 changed, 0 destroyed." in tofu("apply", "-auto-approve")
    assert "No changes." in tofu("plan", "-detailed-exitcode", expect=NO_CHANGES)
    (vm,) = project_items(api, "listVirtualMachines", name="web-1")
    (disk,) = project_items(api, "listVolumes", name="web-1-data")
    assert (vm["serviceofferingname"], disk["size"]) == ("medium", 40 * 1024**3)
    assert disk["virtualmachineid"] == vm["id"]

    assert f"Resources: {made} destroyed." in tofu("destroy", "-auto-approve")
    for command in ("listVirtualMachines", "listVolumes", "listNetworks", "listPublicIpAddresses"):
        assert project_items(api, command) == [], command
    api.close()
