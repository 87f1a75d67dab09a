"""Policy evaluation time of the default policies on a real plan's input, on each engine.

The inputs are made the way the service makes them (bench/policy_input.py: a plan's changes,
its quotas and the projects with their resources) at 100 to 2,000 changes. The baseline is
the OPA server judging the same input in the same run; the ratio printed is embedded time
over OPA time (the goal: at most 2 at 1,000 changes, and 100 changes in 20 ms or less).
"""

from __future__ import annotations

import json
import socket
import subprocess
import time
from pathlib import Path
from typing import Any

from app.policy.embedded import EmbeddedEngine
from app.policy.engines import PolicyEngine
from app.policy.model import PolicySet
from app.policy.opa_server import OpaEngine
from app.policy.sources import policy_set, shipped_policies
from bench.measure import measure
from bench.policy_input import policy_input

SIZES = (100, 200, 800, 1000, 2000)
OPA = Path(__file__).parents[1] / ".tools" / "bin" / "opa"


def _time(engine: PolicyEngine, policies: PolicySet, doc: dict[str, Any]) -> float:
    engine.evaluate(policies, doc)  # warm: compiled or pushed once per policy set
    return measure(lambda: engine.evaluate(policies, doc), runs=5).seconds


def _opa() -> tuple[subprocess.Popen[bytes], str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [str(OPA), "run", "--server", "--addr", f"127.0.0.1:{port}", "--log-level", "error"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(1.5)
    return process, f"http://127.0.0.1:{port}"


def main() -> None:
    policies = policy_set([(shipped_policies(), "policies")])
    process, url = _opa()
    embedded, opa = EmbeddedEngine(timeout=60), OpaEngine(url, timeout=60)
    try:
        print("policy evaluation (all default policies, a real plan's input), best of 5:")
        for size in SIZES:
            doc = policy_input(size)
            ours, theirs = embedded.evaluate(policies, doc), opa.evaluate(policies, doc)
            if ours.as_dict() != theirs.as_dict() or ours.errors:
                raise RuntimeError(f"the engines disagree at {size} changes")
            kib = len(json.dumps(doc)) // 1024
            mine, base = _time(embedded, policies, doc), _time(opa, policies, doc)
            print(
                f"  {size:>5} changes ({kib:>5} KiB, {len(ours.deny):>4} denied): "
                f"embedded {mine * 1000:7.1f} ms   OPA server {base * 1000:7.1f} ms   "
                f"embedded/OPA {mine / base:.2f}x"
            )
    finally:
        embedded.close()
        opa.close()
        process.terminate()
