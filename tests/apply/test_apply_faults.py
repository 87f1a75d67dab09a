"""Apply meets a misbehaving cloud: each fault reported in CloudStack's words, retried only
where it is safe, and a rerun that makes exactly what is left. And `git revert` undoes."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from tests.apply.cloud import (
    EXAMPLE,
    census,
    converged,
    env_for,
    knobs,
    planned_census,
    stackgate,
)


def test_an_outage_is_ridden_out_by_safe_retries(sandbox: str, tmp_path: Path) -> None:
    env = env_for(sandbox, tmp_path)
    knobs(sandbox, outage_next=3)  # a proxy in front of the management server answers 503
    applied = stackgate(env, "apply", str(EXAMPLE), "--auto-approve")
    assert applied.returncode == 0, applied.stdout[-3000:]
    converged(env)


def test_a_failed_async_job_is_reported_in_cloudstacks_words(sandbox: str, tmp_path: Path) -> None:
    env = env_for(sandbox, tmp_path)
    refusal = "Unable to create a deployment for VM: insufficient capacity in zone"
    failure = {
        "command": "deployVirtualMachine",
        "count": 1,
        "errorcode": 530,
        "errortext": refusal,
        "in_job": True,
        "matching": {"name": "db-1"},  # a VM with a volume waiting on it, whatever the order
    }
    knobs(sandbox, fail_next=[failure])
    first = stackgate(env, "apply", str(EXAMPLE), "--auto-approve")
    assert first.returncode == 1
    assert refusal in first.stdout and "Traceback" not in first.stdout + first.stderr
    assert "was removed" in first.stdout  # the VM the failed job left blocks no rerun
    assert "did not succeed" in first.stdout  # what needs the VM waited
    second = stackgate(env, "apply", str(EXAMPLE), "--auto-approve")
    assert second.returncode == 0, second.stdout[-3000:]
    converged(env)


def test_an_address_whose_job_failed_is_released_not_left_untagged(
    sandbox: str, tmp_path: Path
) -> None:
    env = env_for(sandbox, tmp_path)
    expected = planned_census(env)
    refusal = "Failed to associate ip address: the virtual router did not answer"
    failure = {"command": "associateIpAddress", "count": 1, "errorcode": 530}
    knobs(sandbox, fail_next=[{**failure, "errortext": refusal, "in_job": True}])
    first = stackgate(env, "apply", str(EXAMPLE), "--auto-approve")
    assert first.returncode == 1 and refusal in first.stdout
    assert "was removed" in first.stdout  # the address its job left is given back
    assert census(sandbox)["publicipaddress"] == expected["publicipaddress"] - 1
    second = stackgate(env, "apply", str(EXAMPLE), "--auto-approve")
    assert second.returncode == 0, second.stdout[-3000:]
    converged(env)
    assert census(sandbox) == expected


def test_a_quota_overrun_at_apply_time_is_reported_and_the_rest_goes_on(
    sandbox: str, tmp_path: Path
) -> None:
    env = env_for(sandbox, tmp_path)
    limit = "Maximum number of resources of type 'user_vm' for project has exceeded"
    failure = {"command": "deployVirtualMachine", "count": 1, "errorcode": 535, "errortext": limit}
    knobs(sandbox, fail_next=[failure])
    first = stackgate(env, "apply", str(EXAMPLE), "--auto-approve")
    assert first.returncode == 1 and limit in first.stdout
    assert "✓ create  search/network/search-net" in first.stdout  # independent work went on
    assert stackgate(env, "apply", str(EXAMPLE), "--auto-approve").returncode == 0
    converged(env)


def _git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        check=True,
        capture_output=True,
    )


def test_git_revert_of_an_applied_change_plans_its_undoing(sandbox: str, tmp_path: Path) -> None:
    env = env_for(sandbox, tmp_path)
    repo = tmp_path / "infra"
    shutil.copytree(EXAMPLE, repo)
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "add", ".")
    _git(repo, "commit", "-qm", "the infrastructure")
    assert stackgate(env, "apply", str(repo), "--auto-approve").returncode == 0
    payments = repo / "projects" / "payments.yaml"
    text = payments.read_text()
    added = "  bastion-2:\n    offering: small\n    template: debian-12\n    networks: [app-net]\n"
    added += '    labels: {owner: bob, cost-center: "4711"}\n'
    payments.write_text(text.replace("\nvolumes:\n", "\n" + added + "\nvolumes:\n", 1))
    _git(repo, "commit", "-qam", "a second bastion")
    assert stackgate(env, "apply", str(repo), "--auto-approve").returncode == 0
    _git(repo, "revert", "--no-edit", "HEAD")
    planned = stackgate(env, "plan", str(repo), "--format", "json")
    changes = json.loads(planned.stdout)["changes"]
    assert [(c["action"], c["address"]) for c in changes] == [
        ("delete", "payments/instance/bastion-2")
    ]
    assert stackgate(env, "apply", str(repo), "--auto-approve").returncode == 0
    converged(env)


def test_a_failed_follow_up_leaves_the_object_for_the_rerun_to_finish(
    sandbox: str, tmp_path: Path
) -> None:
    env = env_for(sandbox, tmp_path)
    expected = planned_census(env)
    refusal = "Please specify a VM that is either running or stopped."
    failure = {"command": "attachVolume", "count": 1, "errorcode": 431, "errortext": refusal}
    knobs(sandbox, fail_next=[{**failure, "in_job": True}])
    first = stackgate(env, "apply", str(EXAMPLE), "--auto-approve")
    assert first.returncode == 1 and refusal in first.stdout
    assert "was removed" not in first.stdout  # the volume is whole; it is not yet attached
    second = stackgate(env, "apply", str(EXAMPLE), "--auto-approve")
    assert second.returncode == 0, second.stdout[-3000:]
    assert second.stdout.startswith("Resuming apply 1:")  # found and finished, not made again
    converged(env)
    assert census(sandbox) == expected


def test_a_job_that_outlives_the_timeout_is_awaited_next_time_not_resent(
    sandbox: str, tmp_path: Path
) -> None:
    env = env_for(sandbox, tmp_path)
    expected = planned_census(env)
    knobs(sandbox, job_seconds=2.0)
    impatient = {**env, "STACKGATE_CLOUDSTACK_JOB_TIMEOUT": "0.5"}
    first = stackgate(impatient, "apply", str(EXAMPLE), "--auto-approve")
    assert first.returncode == 1
    assert "still running after" in first.stdout and "Traceback" not in first.stderr
    knobs(sandbox, job_seconds=0.0)  # the first run's jobs keep their 2 s; new ones need not
    second = stackgate(env, "apply", str(EXAMPLE), "--auto-approve")
    assert second.returncode == 0, second.stdout[-3000:]
    assert second.stdout.startswith("Resuming apply 1:")
    converged(env)
    assert census(sandbox) == expected
