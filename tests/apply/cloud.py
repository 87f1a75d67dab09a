"""A sandbox in its own process and the stackgate command run against it, for apply tests."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
from cs import CloudStack

from app.background import free_port
from tests.leaks import printed

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "infra"
KEY, SECRET = "apply-key", "apply-secret"


def env_for(sandbox: str, tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "STACKGATE_CLOUDSTACK_URL": f"{sandbox}/client/api",
        "STACKGATE_CLOUDSTACK_API_KEY": KEY,
        "STACKGATE_CLOUDSTACK_SECRET_KEY": SECRET,
        "STACKGATE_DATABASE_URL": f"sqlite:///{tmp_path / 'stackgate.db'}",
    }


def stackgate(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [sys.executable, "-m", "app", *args], env=env, capture_output=True, text=True, timeout=300
    )
    return printed(done, f"stackgate {args[0]}")


def knobs(sandbox: str, **settings: object) -> None:
    httpx.post(f"{sandbox}/sandbox/knobs", json=settings, timeout=10).raise_for_status()


def converged(env: dict[str, str], repo: Path = EXAMPLE) -> None:
    planned = stackgate(env, "plan", str(repo), "--format", "json")
    try:
        changes = json.loads(planned.stdout)["changes"]
    except ValueError:
        changes = None
    # the changes first: what did not converge is the finding, the quota rows are not
    assert planned.returncode == 0 and changes == [], (changes, planned.stderr[-3000:])


@contextmanager
def sandbox_process(state: Path) -> Iterator[str]:
    """A sandbox in its own process: killing an apply must not kill the cloud."""
    port = free_port(0)
    command = [sys.executable, "-m", "app", "sandbox", "--port", str(port), "--api-key", KEY,
               "--secret-key", SECRET, "--state", str(state)]  # fmt: skip
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
    try:
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


CENSUS = {  # plan kind → what CloudStack lists it as
    "instance": "virtualmachine",
    "network": "network",
    "volume": "volume",
    "public_ip": "publicipaddress",
}


def planned_census(env: dict[str, str]) -> dict[str, int]:
    planned = json.loads(stackgate(env, "plan", str(EXAMPLE), "--format", "json").stdout)
    return census_of(planned)


def census_of(plan: dict[str, Any]) -> dict[str, int]:
    """What a plan (its JSON form) creates, counted as ``census`` counts the cloud: a
    Kubernetes cluster's nodes are VMs of the project, its control nodes and its workers."""
    made = [c for c in plan["changes"] if c["action"] == "create"]
    creates = [c["kind"] for c in made]
    counted = {listed: creates.count(kind) for kind, listed in CENSUS.items()}
    nodes = [c["after"] for c in made if c["kind"] == "kubernetes_cluster"]
    counted["virtualmachine"] += sum(n["control_nodes"] + n["size"] for n in nodes)
    return counted


def census(sandbox: str) -> dict[str, int]:
    """Objects in the whole cloud, tagged or not (source NAT addresses, root disks and the
    seeded shared network of the security group zone aside)."""
    client = CloudStack(endpoint=f"{sandbox}/client/api", key=KEY, secret=SECRET)
    counted = {
        "virtualmachine": client.listVirtualMachines(projectid=-1, listall=True),
        "network": client.listNetworks(projectid=-1, listall=True),
        "volume": client.listVolumes(projectid=-1, listall=True, type="DATADISK"),
        "publicipaddress": client.listPublicIpAddresses(projectid=-1, listall=True),
    }
    found = {kind: answer.get(kind, []) for kind, answer in counted.items()}
    found["publicipaddress"] = [ip for ip in found["publicipaddress"] if not ip.get("issourcenat")]
    found["network"] = [network for network in found["network"] if network["type"] != "Shared"]
    return {kind: len(rows) for kind, rows in found.items()}
