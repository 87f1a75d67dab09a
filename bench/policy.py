"""Policy evaluation time for plans of 1, 100 and 1,000 changes, on each engine.

There is no third engine to measure against; the ratio printed is OPA server time over
embedded time for the same input, measured in the same run.
"""

from __future__ import annotations

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

SIZES = (1, 100, 1000)
OPA = Path(__file__).parents[1] / ".tools" / "bin" / "opa"


def document(changes: int) -> dict[str, Any]:
    def change(i: int) -> dict[str, Any]:
        after = {
            "offering": "medium",
            "template": "ubuntu-22.04",
            "cpu": 2,
            "memory_mib": 4096,
            "labels": {"owner": "alice", "cost-center": "4711"},
            "protected": False,
        }
        return {
            "action": "create",
            "kind": "instance",
            "project": f"team-{i % 20}",
            "name": f"vm-{i}",
            "address": f"team-{i % 20}/instance/vm-{i}",
            "before": None,
            "after": after,
            "changed": [],
            "reason": "",
            "lost": "",
            "destructive": False,
            "protected": False,
            "file": "f",
            "line": i,
            "live_id": None,
        }

    quotas = {
        f"team-{p}": {
            "cpu": {
                "used": 10,
                "change": 5,
                "pending": 0,
                "after": 15,
                "limit": 100,
                "unit": "count",
            }
        }
        for p in range(20)
    }
    projects = {f"team-{p}": {"owners": ["alice"]} for p in range(20)}
    return {
        "pull_request": None,
        "changes": [change(i) for i in range(changes)],
        "projects": projects,
        "quotas": quotas,
    }


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
        print("policy evaluation (all default policies), best of 5:")
        for size in SIZES:
            doc = document(size)
            ours, theirs = _time(embedded, policies, doc), _time(opa, policies, doc)
            print(
                f"  {size:>5} changes: embedded {ours * 1000:8.1f} ms   "
                f"OPA server {theirs * 1000:8.1f} ms   ratio OPA/embedded {theirs / ours:.2f}x"
            )
    finally:
        embedded.close()
        opa.close()
        process.terminate()
