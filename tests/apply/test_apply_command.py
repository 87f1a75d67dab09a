"""`stackgate apply` end to end against a separate sandbox process: converge, fail, resume,
and survive being killed at random points — never creating anything twice."""

from __future__ import annotations

import json
import random
import shutil
import subprocess
import sys
from pathlib import Path

import httpx
from cs import CloudStack

from tests.apply.cloud import (
    EXAMPLE,
    KEY,
    SECRET,
    census,
    converged,
    env_for,
    knobs,
    planned_census,
    stackgate,
)

NEW_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAABAgMEBQYHCAkKCwwNDg8QERITFBUWFxgZGhscHR4f a@h"


def test_apply_converges_and_a_second_apply_has_nothing_to_do(sandbox: str, tmp_path: Path) -> None:
    env = env_for(sandbox, tmp_path)
    applied = stackgate(env, "apply", str(EXAMPLE), "--auto-approve")
    assert applied.returncode == 0, applied.stdout[-3000:] + applied.stderr[-3000:]
    assert "Applied 94 change(s)." in applied.stdout
    converged(env)
    again = stackgate(env, "apply", str(EXAMPLE), "--auto-approve")
    assert again.returncode == 0 and "Nothing to apply" in again.stdout


def test_without_auto_approve_nothing_happens_unless_confirmed(
    sandbox: str, tmp_path: Path
) -> None:
    env = env_for(sandbox, tmp_path)
    declined = subprocess.run(
        [sys.executable, "-m", "app", "apply", str(EXAMPLE)],
        env=env, input="n\n", capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert declined.returncode == 1 and "Nothing applied" in declined.stdout
    planned = stackgate(env, "plan", str(EXAMPLE), "--format", "json")
    assert planned.returncode == 2  # still everything to do


def test_a_failed_step_skips_its_dependents_and_a_rerun_finishes(
    sandbox: str, tmp_path: Path
) -> None:
    env = env_for(sandbox, tmp_path)
    refusal = "Insufficient capacity to create the network"  # CloudStack's words, not ours
    knobs(
        sandbox,
        fail_next=[
            {
                "command": "createNetwork",
                "count": 1,
                "errorcode": 533,
                "errortext": refusal,
                "matching": {"name": "etl-net"},  # one network whatever the thread order
            }
        ],
    )
    first = stackgate(env, "apply", str(EXAMPLE), "--auto-approve")
    assert first.returncode == 1
    assert refusal in first.stdout  # the failed step carries CloudStack's own text
    assert "did not succeed" in first.stdout  # its dependents were skipped, and said why
    second = stackgate(env, "apply", str(EXAMPLE), "--auto-approve")
    assert second.returncode == 0, second.stdout[-3000:]
    assert "Applied 7 change(s)." in second.stdout  # only what is left: nothing twice
    converged(env)


def test_killed_at_random_points_the_apply_resumes_without_duplicates(
    sandbox: str, tmp_path: Path
) -> None:
    env = env_for(sandbox, tmp_path)
    expected = planned_census(env)
    knobs(sandbox, job_seconds=1.5)  # long enough jobs that kills land mid-job
    chance = random.Random(20261121)
    kills = finished = 0
    while kills < 20 and not finished:
        process = subprocess.Popen(
            [sys.executable, "-m", "app", "apply", str(EXAMPLE), "--auto-approve"],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            finished = process.wait(timeout=chance.uniform(1.0, 2.5)) == 0
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            kills += 1
    assert kills >= 20, f"the apply finished after {kills} kills; make its jobs longer"
    knobs(sandbox, job_seconds=0.0)  # the killed runs' jobs keep their 1.5 s; new ones need not
    final = stackgate(env, "apply", str(EXAMPLE), "--auto-approve")
    assert final.returncode == 0, final.stdout[-3000:]
    converged(env)  # a tagged duplicate would show as a change to delete
    assert census(sandbox) == expected  # an untagged one would show here


def _applied_then_copied(env: dict[str, str], tmp_path: Path) -> tuple[Path, Path]:
    """The example applied; a copy of it to change, and the copy's payments file."""
    assert stackgate(env, "apply", str(EXAMPLE), "--auto-approve").returncode == 0
    repo = tmp_path / "infra"
    shutil.copytree(EXAMPLE, repo)
    return repo, repo / "projects" / "payments.yaml"


def _rotated(payments: Path) -> None:
    """The payments key pair gets new material under its old name."""
    text = payments.read_text()
    payments.write_text(text.replace(text.split("public_key: ")[1].split("\n")[0], NEW_KEY))


def _resets(sandbox: str) -> int:
    calls: dict[str, int] = httpx.get(f"{sandbox}/sandbox/calls", timeout=10).json()
    return calls.get("resetSSHKeyForVirtualMachine", 0)


def test_a_plan_with_changes_apply_cannot_make_is_refused_whole(
    sandbox: str, tmp_path: Path
) -> None:
    env = env_for(sandbox, tmp_path)
    repo, payments = _applied_then_copied(env, tmp_path)
    text = payments.read_text()
    bastion = "    networks: [app-net]\n    ssh_key: ops-2026\n    labels: {owner: bob"
    assert bastion in text
    # CloudStack can give a VM another key pair, but take none away: no call makes this
    payments.write_text(text.replace(bastion, bastion.replace("    ssh_key: ops-2026\n", "")))
    payments.write_text(
        payments.read_text().replace("  web-2: *web\n", "  web-2: *web\n  web-3: *web\n")
    )
    refused = stackgate(env, "apply", str(repo), "--auto-approve")
    assert refused.returncode == 1
    assert "apply cannot make these changes yet; nothing was applied" in refused.stdout
    assert "update-stop payments/instance/bastion" in refused.stdout
    assert "Applied" not in refused.stdout  # not even web-3, which apply could make
    converged(env)  # the cloud is as the first apply left it


def test_a_rotated_key_is_set_on_every_vm_that_uses_it_and_they_run_again(
    sandbox: str, tmp_path: Path
) -> None:
    env = env_for(sandbox, tmp_path)
    repo, payments = _applied_then_copied(env, tmp_path)
    _rotated(payments)
    rotated = stackgate(env, "apply", str(repo), "--auto-approve")
    assert rotated.returncode == 0, rotated.stdout[-3000:]
    for vm in ("web-1", "web-2", "db-1", "bastion"):
        assert f"✓ update-stop payments/instance/{vm}" in rotated.stdout
    client = CloudStack(endpoint=f"{sandbox}/client/api", key=KEY, secret=SECRET)
    (project,) = client.listProjects(name="payments")["project"]
    vms = client.listVirtualMachines(projectid=project["id"])["virtualmachine"]
    assert {(vm["name"], vm["state"], vm["keypairs"]) for vm in vms} == {
        (name, "Running", "ops-2026") for name in ("web-1", "web-2", "db-1", "bastion")
    }
    assert _resets(sandbox) == 4  # each VM once
    converged(env, repo)  # the key pair's new fingerprint included


def test_a_failed_key_reset_is_finished_by_the_next_apply(sandbox: str, tmp_path: Path) -> None:
    env = env_for(sandbox, tmp_path)
    repo, payments = _applied_then_copied(env, tmp_path)
    _rotated(payments)
    refusal = "Failed to reset SSH Key for the virtual machine "  # UserVmManagerImpl's words
    failure = {"command": "resetSSHKeyForVirtualMachine", "count": 1, "errorcode": 530}
    knobs(sandbox, fail_next=[{**failure, "errortext": refusal, "in_job": True}])
    first = stackgate(env, "apply", str(repo), "--auto-approve")
    assert first.returncode == 1 and refusal in first.stdout
    second = stackgate(env, "apply", str(repo), "--auto-approve")
    assert second.returncode == 0, second.stdout[-3000:]
    assert second.stdout.startswith("Resuming apply 2:")  # the stopped VM is finished, not lost
    assert _resets(sandbox) == 5  # four VMs, one of them twice
    client = CloudStack(endpoint=f"{sandbox}/client/api", key=KEY, secret=SECRET)
    vms = client.listVirtualMachines(projectid=-1, listall=True)["virtualmachine"]
    assert {vm["state"] for vm in vms} == {"Running"}
    converged(env, repo)


def test_a_vm_changed_out_of_band_is_exactly_the_drift_reconcile_reports(
    sandbox: str, tmp_path: Path
) -> None:
    env = env_for(sandbox, tmp_path)
    assert stackgate(env, "apply", str(EXAMPLE), "--auto-approve").returncode == 0
    client = CloudStack(endpoint=f"{sandbox}/client/api", key=KEY, secret=SECRET)
    vms = client.listVirtualMachines(projectid=-1, listall=True)["virtualmachine"]
    (web,) = [vm for vm in vms if vm["name"] == "web-1"]
    offerings = client.listServiceOfferings(name="large")["serviceoffering"]
    client.stopVirtualMachine(id=web["id"], fetch_result=True)
    client.changeServiceForVirtualMachine(id=web["id"], serviceofferingid=offerings[0]["id"])
    client.startVirtualMachine(id=web["id"], fetch_result=True)
    found = stackgate(env, "reconcile", str(EXAMPLE), "--format", "json")
    assert found.returncode == 2, found.stdout[-2000:]
    drift = json.loads(found.stdout)["drift"]
    assert [(d["address"], d["kind"]) for d in drift] == [("payments/instance/web-1", "changed")]
    assert "offering: large → medium" in drift[0]["detail"]
