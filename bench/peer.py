"""stackgate beside the tools a CloudStack user would otherwise pick: the same instances in 10
networks, each network with a public IP, a firewall rule, a port forward and an egress rule,
made by `tofu apply` with the CloudStack provider, by an Ansible playbook of the
ngine_io.cloudstack collection and by `stackgate apply`, each against a fresh sandbox with the
same per-command latency and job time; then a no-change run of each (`tofu plan
-refresh=true`, the playbook's second run, `stackgate plan`). Wall time and API calls (the
sandbox's own counter) are printed as ratios against stackgate from the same run.

STACKGATE_BENCH_PEER_INSTANCES (default 500), _NETWORKS (10), _LATENCIES (ms, "0,50"),
_JOB_SECONDS (0) and _TIMEOUT (seconds per command, 480) size it, _TOOLS (default
"stackgate,tofu,ansible") picks the tools and _AGAIN_RUNS (3) how often the no-change run is
run, its best time reported (one run on a machine others share is noise: a plan of a second
took two in one of them); a tool that does not finish within the timeout is stopped and
reported as stopped, with the calls it had made.
"""

from __future__ import annotations

import os
import signal
import subprocess
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.sandbox.accounting import RESOURCE_TYPES
from app.sandbox.launch import start_sandbox
from app.sandbox.server import RunningSandbox, apply_knobs
from bench.peer_tools import PEERS, PROJECT, Peer, Size

KEY, SECRET = "bench-key", "bench-secret-not-for-real-use"


def _setting(name: str, default: str) -> str:
    return os.environ.get(f"STACKGATE_BENCH_PEER_{name}", default)


@dataclass(frozen=True)
class Timed:
    seconds: float
    calls: int  # API calls the sandbox counted during the command
    finished: bool  # False: stopped at the timeout
    running: int  # instances running when it ended: how far a stopped apply got


@dataclass(frozen=True)
class Result:
    """One tool at one latency: its apply and, when the apply finished, its no-change run."""

    apply: Timed
    again: Timed | None


def timed(command: list[str], peer: Peer, cwd: Path, cloud: RunningSandbox, timeout: float) -> \
        tuple[Timed, int, str]:  # fmt: skip
    """Run one command of a tool; its figures, exit code and output. Its own process group, so
    a stopped tool leaves none of its workers behind."""
    before = sum(cloud.api.calls.values())
    start = time.perf_counter()
    process = subprocess.Popen(
        command,
        cwd=cwd,  # no one's ansible.cfg or .terraformrc is read
        env=peer.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        out, _ = process.communicate(timeout=timeout)
        finished = True
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        end_detached(peer.env["HOME"])
        out, _ = process.communicate()
        finished = False
    seconds = time.perf_counter() - start
    calls = sum(cloud.api.calls.values()) - before
    return Timed(seconds, calls, finished, running(cloud)), process.returncode, out


def end_detached(home: str) -> None:
    """Ansible's async jobs leave the process group (they daemonise); each tool runs with a
    home of its own, so its stragglers are found by that and ended by their ids."""
    marker = f"HOME={home}".encode()
    for entry in Path("/proc").iterdir():
        try:
            mine = entry.name.isdigit() and marker in (entry / "environ").read_bytes().split(b"\0")
            if mine:
                os.kill(int(entry.name), signal.SIGKILL)
        except OSError:  # gone meanwhile, or not ours to read
            continue


def project_of(cloud: RunningSandbox) -> dict[str, Any]:
    (project,) = [p for p in cloud.api.state.table("projects") if p["name"] == PROJECT]
    return project


def fresh_cloud(latency: float, job_seconds: float) -> RunningSandbox:
    """A sandbox whose project has room for any size (the seed's limits are CloudStack's
    defaults, 20 instances): the platform team raised them before any tool runs."""
    cloud = start_sandbox(api_key=KEY, secret_key=SECRET, job_seconds=job_seconds)
    apply_knobs(cloud.api, {"latency": {"*": latency}})
    project = project_of(cloud)
    cloud.api.state.limits.update({(project["id"], kind): -1 for kind in RESOURCE_TYPES})
    return cloud


def running(cloud: RunningSandbox) -> int:
    vms = cloud.api.state.table("vms").in_project(project_of(cloud)["id"])
    return sum(1 for vm in vms if vm["state"] == "Running")


def check_cloud(cloud: RunningSandbox, size: Size, name: str) -> None:
    """What the apply made, read from the sandbox's own tables: a failed apply is no figure."""
    state, project = cloud.api.state, project_of(cloud)

    def count(table: str) -> int:
        return sum(1 for _ in state.table(table).in_project(project["id"]))

    made = {
        "instances": running(cloud),
        "networks": count("networks"),
        "port forwards": count("port_forwards"),
        "firewall rules": count("firewall"),
        "egress rules": count("egress"),
    }
    wanted = {"instances": size.instances} | dict.fromkeys(list(made)[1:], size.networks)
    assert made == wanted, f"{name} made {made}, not {wanted}"


def run_peer(name: str, size: Size, latency: float, job_seconds: float, timeout: float,
             again_runs: int = 1) -> Result:  # fmt: skip
    cloud = fresh_cloud(latency, job_seconds)
    folders = tempfile.TemporaryDirectory(prefix=f"peer-{name}-", ignore_cleanup_errors=True)
    try:
        with folders as folder:
            peer = PEERS[name](Path(folder), cloud.url, KEY, SECRET, size)
            made, code, out = timed(peer.apply, peer, Path(folder), cloud, timeout)
            if not made.finished:
                return Result(made, None)
            assert code == 0, f"{name} apply failed ({code}):\n{out[-4000:]}"
            check_cloud(cloud, size, name)
            runs: list[Timed] = []
            while len(runs) < again_runs and (not runs or runs[-1].finished):
                again, code, out = timed(peer.again, peer, Path(folder), cloud, timeout)
                runs.append(again)
                if again.finished:
                    assert peer.unchanged(code, out), f"{name} changed something:\n{out[-4000:]}"
            return Result(made, runs[-1] if not runs[-1].finished else min(runs, key=_seconds))
    finally:
        cloud.stop()


def _seconds(timed: Timed) -> float:
    return timed.seconds


def run(size: Size, latencies: list[float], job_seconds: float, timeout: float,
        tools: Sequence[str] = tuple(PEERS), again_runs: int = 1) -> \
        dict[float, dict[str, Result]]:  # fmt: skip
    return {
        latency: {
            name: run_peer(name, size, latency, job_seconds, timeout, again_runs) for name in tools
        }
        for latency in latencies
    }


def figure(label: str, measured: Timed | None, ours: Timed | None) -> str:
    """One line: time and calls, and against stackgate's when both finished."""
    if measured is None:
        return f"    {label:<26} not run: its apply did not finish"
    line = f"    {label:<26} {measured.seconds:8.1f} s {measured.calls:>9,} calls"
    if not measured.finished:
        return f"{line}  stopped at the timeout, {measured.running:,} instances running: no ratio"
    if ours is None or not ours.finished or ours is measured:
        return line
    return (
        f"{line}  ({measured.seconds / ours.seconds:.1f}x the time, "
        f"{measured.calls / max(ours.calls, 1):.1f}x the calls of stackgate)"
    )


LABELS = {  # tool → (its apply, its no-change run)
    "stackgate": ("stackgate apply", "stackgate plan"),
    "tofu": ("tofu apply", "tofu plan -refresh=true"),
    "ansible": ("ansible-playbook", "ansible-playbook again"),
}


def report(size: Size, job_seconds: float, results: dict[float, dict[str, Result]]) -> list[str]:
    lines = [
        f"peer: {size.instances} instances in {size.networks} networks (a public IP, firewall, "
        f"egress and port forward each), job time {job_seconds:g} s"
    ]
    for latency, by_tool in results.items():
        ours = by_tool["stackgate"]
        lines.append(f"  {latency * 1000:g} ms per call")
        lines += [figure(LABELS[name][0], got.apply, ours.apply) for name, got in by_tool.items()]
        lines += [figure(LABELS[name][1], got.again, ours.again) for name, got in by_tool.items()]
    return lines


def main() -> None:
    size = Size(int(_setting("INSTANCES", "500")), int(_setting("NETWORKS", "10")))
    latencies = [float(ms) / 1000 for ms in _setting("LATENCIES", "0,50").split(",")]
    job_seconds, timeout = float(_setting("JOB_SECONDS", "0")), float(_setting("TIMEOUT", "480"))
    tools = _setting("TOOLS", ",".join(PEERS)).split(",")
    assert size.instances >= size.networks, "each network forwards to an instance of its own"
    assert tools[0] == "stackgate" and set(tools) <= set(PEERS), "stackgate first: the ratios"
    again_runs = int(_setting("AGAIN_RUNS", "3"))
    results = run(size, latencies, job_seconds, timeout, tools, again_runs)
    print("\n".join(report(size, job_seconds, results)))
    print(f"  (no-change runs: best of {again_runs}; load average {os.getloadavg()[0]:.1f})")


if __name__ == "__main__":
    main()
