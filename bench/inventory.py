"""Live-state reads: 200 projects, 5 kinds, 50 objects each: tag-filtered lists vs per object.

The sandbox runs in its own process (so its memory is not counted), loaded from a state
file built here. stackgate reads each project with a few paginated, tag-filtered list calls;
the baseline does what a Terraform refresh does: one lookup per object it knows the id of.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from app.cloudstack.catalog import read_catalog
from app.cloudstack.client import CloudStackClient, Endpoint
from app.cloudstack.inventory import TAG_KEY, TAG_REPO, read_projects
from app.sandbox.launch import build_api
from app.sandbox.seed import project_row
from app.sandbox.store import CloudState
from bench.measure import measure, mib

PROJECTS, PER_KIND = 200, 50
REPO = "bench/infra"
KEY, SECRET = "bench-key", "bench-secret"
# kind → (sandbox table, list command used for a per-object lookup)
KINDS = {
    "network": ("networks", "listNetworks"),
    "instance": ("vms", "listVirtualMachines"),
    "volume": ("volumes", "listVolumes"),
    "public_ip": ("ips", "listPublicIpAddresses"),
    "firewall": ("firewall", "listFirewallRules"),
}


def _row(
    state: CloudState, kind: str, project: dict[str, Any], n: int, address: str
) -> dict[str, Any]:
    name = f"{kind}-{n}"
    tags = [{"key": TAG_REPO, "value": REPO}, {"key": TAG_KEY, "value": f"{kind}/{name}"}]
    row: dict[str, Any] = {
        "id": state.new_id(),
        "name": name,
        "projectid": project["id"],
        "project": project["name"],
        "tags": tags,
        "state": "Running",
        "zonename": "zone-a",
        "nic": [],
        "size": 10 * 1024**3,
        "type": "DATADISK",
        "cidr": "10.0.0.0/24",
        "ipaddress": f"203.0.113.{n}",
        "protocol": "tcp",
        "issourcenat": False,
        "cpunumber": 1,
        "memory": 512,
    }
    if kind == "firewall":
        row.update(_project=row.pop("projectid"), ipaddressid=address, startport=443, endport=443)
    return row


def build_state(path: Path) -> list[tuple[str, str, str]]:
    """The cloud to read, saved for the sandbox process: (command, project id, id) per object."""
    api = build_api(api_key=KEY, secret_key=SECRET, state_file=path)
    state = api.state
    known: list[tuple[str, str, str]] = []
    for index in range(PROJECTS):
        project = state.table("projects").add(project_row(state, f"bench-{index:03d}"))
        addresses: list[str] = []
        for kind, (table, command) in KINDS.items():
            for n in range(PER_KIND):
                row = state.table(table).add(
                    _row(state, kind, project, n, addresses[n] if kind == "firewall" else "")
                )
                known.append((command, project["id"], row["id"]))
                if kind == "public_ip":
                    addresses.append(row["id"])
    state.save()
    return known


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def serve(path: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    command = [sys.executable, "-m", "app", "sandbox", "--port", str(port), "--state", str(path)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    for _ in range(600):
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return process, f"http://127.0.0.1:{port}/client/api"
        time.sleep(0.1)
    raise RuntimeError("sandbox did not start")


def by_tags(url: str) -> int:
    client = CloudStackClient(Endpoint("bench", url, SecretStr(KEY), SecretStr(SECRET)))
    catalog = read_catalog(client)
    refs = [project for name, project in catalog.projects.items() if name.startswith("bench-")]
    found = sum(len(live.objects) for live in read_projects(client, REPO, refs).values())
    assert found == PROJECTS * PER_KIND * len(KINDS), found
    client.close()
    return sum(client.calls.values())


def per_object(url: str, known: list[tuple[str, str, str]]) -> int:
    client = CloudStackClient(Endpoint("bench", url, SecretStr(KEY), SecretStr(SECRET)))
    for command, project_id, object_id in known:
        client.request(command, id=object_id, projectid=project_id)
    client.close()
    return sum(client.calls.values())


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "cloud.json"
        known = build_state(path)
        process, url = serve(path)
        try:
            calls: dict[str, int] = {}
            ours = measure(lambda: calls.update(ours=by_tags(url)), runs=1)
            theirs = measure(lambda: calls.update(theirs=per_object(url, known)), runs=1)
        finally:
            process.terminate()
            process.wait(timeout=10)
    objects = PROJECTS * PER_KIND * len(KINDS)
    print(f"inventory: {PROJECTS} projects x {len(KINDS)} kinds x {PER_KIND} objects = {objects:,}")
    for label, key, measured in (("stackgate (tag-filtered lists)", "ours", ours),
                                 ("per-object lookups (refresh)  ", "theirs", theirs)):  # fmt: skip
        peak = mib(measured.peak_bytes)
        print(f"  {label} {calls[key]:>7,} calls {measured.seconds:7.1f} s  peak {peak}")
    print(
        f"  ratio (refresh / stackgate): calls {calls['theirs'] / calls['ours']:.0f}x, "
        f"time {theirs.seconds / ours.seconds:.1f}x"
    )
