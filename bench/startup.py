"""Start-up: the stackgate command run as a process, as a user or a CI job runs it, against a
bare `python -c pass` in the same run (what no command can be faster than)."""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "infra"
STACKGATE = str(Path(sys.executable).with_name("stackgate"))
RUNS = 15
# name, command, goal in seconds (issue 20), exit codes that mean it worked
COMMANDS: list[tuple[str, list[str], float | None, set[int]]] = [
    ("python -c pass", [sys.executable, "-c", "pass"], None, {0}),
    ("stackgate --version", [STACKGATE, "--version"], 0.15, {0}),
    ("stackgate --help", [STACKGATE, "--help"], None, {0}),
    ("stackgate validate (example repo)", [STACKGATE, "validate", str(EXAMPLE)], 0.4, {0}),
    ("stackgate plan (example repo, sandbox)", [STACKGATE, "plan", str(EXAMPLE)], None, {2}),
]


def timed(command: list[str], ok: set[int]) -> tuple[list[float], list[float]]:
    """Wall and CPU (user + system) times of RUNS runs, the settings of this shell left out
    (plan reads the sandbox); CPU time says more than wall time on a machine others share."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("STACKGATE_")}
    walls, cpus = [], []
    for _ in range(RUNS):
        before, start = resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter()
        done = subprocess.run(command, env=env, capture_output=True, check=False)
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
        if done.returncode not in ok:
            raise SystemExit(f"{' '.join(command)} exited {done.returncode}: {done.stderr!r}")
    return walls, cpus


def main() -> None:
    load = os.getloadavg()[0]
    print(f"start-up, best of {RUNS} runs as a process (load {load:.1f}): wall, CPU, wall ratio")
    floor = 0.0
    for name, command, goal, ok in COMMANDS:
        walls, cpus = timed(command, ok)
        best, cpu = min(walls), min(cpus)
        floor = floor or best
        print(
            f"  {name:40} {best:6.3f} s (median {statistics.median(walls):.3f}), "
            f"CPU {cpu:.3f} s, {best / floor:5.1f}x python{verdict(goal, best, cpu)}"
        )


def verdict(goal: float | None, wall: float, cpu: float) -> str:
    if goal is None:
        return ""
    if wall <= goal:
        return f"  goal {goal:.2f} s: met"
    if cpu <= goal:
        return f"  goal {goal:.2f} s: met in CPU time (wall time held up by other work)"
    return f"  goal {goal:.2f} s: NOT met"


if __name__ == "__main__":
    main()
