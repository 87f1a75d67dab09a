"""bench/peer.py end to end at a tiny size, so the benchmark cannot rot: OpenTofu, the Ansible
collection and stackgate each make 2 instances in 1 network with its rules on a sandbox of
their own, then change nothing on a second run, and the report compares them."""

from __future__ import annotations

import pytest

from bench.peer import report, run
from bench.peer_tools import Size
from tests.clients.conftest import tool

pytestmark = pytest.mark.clients


def test_the_peer_benchmark_runs_each_tool_end_to_end() -> None:
    tool("tofu"), tool("terraform-provider-cloudstack")  # skipped or failed as the others are
    size = Size(instances=2, networks=1)

    results = run(size, [0.0], job_seconds=0.0, timeout=120)

    for name, result in results[0.0].items():
        assert result.apply.finished and result.apply.calls > 0, name
        assert result.again is not None and result.again.finished, name
    lines = report(size, 0.0, results)
    assert lines[0].startswith("peer: 2 instances in 1 networks")
    compared = [line for line in lines if "x the calls of stackgate" in line]
    assert len(compared) == 4, lines  # tofu and Ansible, apply and the no-change run
