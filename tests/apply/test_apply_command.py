"""`stackgate apply` end to end against a separate sandbox process: converge, fail, resume,
and survive being killed at random points — never creating anything twice."""

from __future__ import annotations

import json
import os
import random
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from cs import CloudStack

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "infra"
KEY, SECRET = "apply-key", "apply-secret"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[str]:
    """A sandbox in its own process: killing an apply must not kill the cloud."""
    port = _free_port()
    command = [sys.executable, "-m", "app", "sandbox", "--port", str(port), "--api-key", KEY,
               "--secret-key", SECRET, "--state", str(tmp_path / "cloud.json")]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            httpx.get(f"{base}/client/api", timeout=1)
            break
        except httpx.HTTPError:
            assert time.monotonic() < deadline, "the sandbox did not start"
            time.sleep(0.1)
    yield base
    process.terminate()
    process.wait(timeout=10)


def _env(sandbox: str, tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "STACKGATE_CLOUDSTACK_URL": f"{sandbox}/client/api",
        "STACKGATE_CLOUDSTACK_API_KEY": KEY,
        "STACKGATE_CLOUDSTACK_SECRET_KEY": SECRET,
        "STACKGATE_DATABASE_URL": f"sqlite:///{tmp_path / 'stackgate.db'}",
    }


def _stackgate(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app", *args], env=env, capture_output=True, text=True, timeout=300
    )


def _knobs(sandbox: str, **settings: object) -> None:
    httpx.post(f"{sandbox}/sandbox/knobs", json=settings, timeout=10).raise_for_status()


CENSUS = {  # plan kind → what CloudStack lists it as
    "instance": "virtualmachine",
    "network": "network",
    "volume": "volume",
    "public_ip": "publicipaddress",
}


def _planned_census(env: dict[str, str]) -> dict[str, int]:
    planned = json.loads(_stackgate(env, "plan", str(EXAMPLE), "--format", "json").stdout)
    creates = [c["kind"] for c in planned["changes"] if c["action"] == "create"]
    return {listed: creates.count(kind) for kind, listed in CENSUS.items()}


def _census(sandbox: str) -> dict[str, int]:
    """Objects in the whole cloud, tagged or not (source NAT addresses and root disks aside)."""
    client = CloudStack(endpoint=f"{sandbox}/client/api", key=KEY, secret=SECRET)
    counted = {
        "virtualmachine": client.listVirtualMachines(projectid=-1, listall=True),
        "network": client.listNetworks(projectid=-1, listall=True),
        "volume": client.listVolumes(projectid=-1, listall=True, type="DATADISK"),
        "publicipaddress": client.listPublicIpAddresses(projectid=-1, listall=True),
    }
    found = {kind: answer.get(kind, []) for kind, answer in counted.items()}
    found["publicipaddress"] = [ip for ip in found["publicipaddress"] if not ip.get("issourcenat")]
    return {kind: len(rows) for kind, rows in found.items()}


def _converged(env: dict[str, str]) -> None:
    planned = _stackgate(env, "plan", str(EXAMPLE), "--format", "json")
    assert planned.returncode == 0, planned.stdout[-3000:] + planned.stderr[-3000:]
    assert json.loads(planned.stdout)["changes"] == []


def test_apply_converges_and_a_second_apply_has_nothing_to_do(sandbox: str, tmp_path: Path) -> None:
    env = _env(sandbox, tmp_path)
    applied = _stackgate(env, "apply", str(EXAMPLE), "--auto-approve")
    assert applied.returncode == 0, applied.stdout[-3000:] + applied.stderr[-3000:]
    assert "Applied 55 change(s)." in applied.stdout
    _converged(env)
    again = _stackgate(env, "apply", str(EXAMPLE), "--auto-approve")
    assert again.returncode == 0 and "Nothing to apply" in again.stdout


def test_without_auto_approve_nothing_happens_unless_confirmed(
    sandbox: str, tmp_path: Path
) -> None:
    env = _env(sandbox, tmp_path)
    declined = subprocess.run(
        [sys.executable, "-m", "app", "apply", str(EXAMPLE)],
        env=env, input="n\n", capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert declined.returncode == 1 and "Nothing applied" in declined.stdout
    planned = _stackgate(env, "plan", str(EXAMPLE), "--format", "json")
    assert planned.returncode == 2  # still everything to do


def test_a_failed_step_skips_its_dependents_and_a_rerun_finishes(
    sandbox: str, tmp_path: Path
) -> None:
    env = _env(sandbox, tmp_path)
    refusal = "Insufficient capacity to create the network"  # CloudStack's words, not ours
    _knobs(
        sandbox,
        fail_next=[
            {"command": "createNetwork", "count": 1, "errorcode": 533, "errortext": refusal}
        ],
    )
    first = _stackgate(env, "apply", str(EXAMPLE), "--auto-approve")
    assert first.returncode == 1
    assert refusal in first.stdout  # the failed step carries CloudStack's own text
    assert "did not succeed" in first.stdout  # its dependents were skipped, and said why
    second = _stackgate(env, "apply", str(EXAMPLE), "--auto-approve")
    assert second.returncode == 0, second.stdout[-3000:]
    assert "Applied 7 change(s)." in second.stdout  # only what is left: nothing twice
    _converged(env)


def test_killed_at_random_points_the_apply_resumes_without_duplicates(
    sandbox: str, tmp_path: Path
) -> None:
    env = _env(sandbox, tmp_path)
    expected = _planned_census(env)
    _knobs(sandbox, job_seconds=1.5)  # long enough jobs that kills land mid-job
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
    final = _stackgate(env, "apply", str(EXAMPLE), "--auto-approve")
    assert final.returncode == 0, final.stdout[-3000:]
    _converged(env)  # a tagged duplicate would show as a change to delete
    assert _census(sandbox) == expected  # an untagged one would show here


def test_a_plan_with_changes_apply_cannot_make_is_refused_whole(
    sandbox: str, tmp_path: Path
) -> None:
    env = _env(sandbox, tmp_path)
    assert _stackgate(env, "apply", str(EXAMPLE), "--auto-approve").returncode == 0
    repo = tmp_path / "infra"
    shutil.copytree(EXAMPLE, repo)
    payments = repo / "projects" / "payments.yaml"
    payments.write_text(payments.read_text().replace("10.1.0.0/24", "10.1.8.0/24"))
    refused = _stackgate(env, "apply", str(repo), "--auto-approve")
    assert refused.returncode == 1
    assert "apply cannot make these changes yet; nothing was applied" in refused.stdout
    assert "replace payments/network/app-net" in refused.stdout
    assert "Applied" not in refused.stdout
