"""stackgate import reads its lists side by side (issue 20), as a plan does: the same rows,
members and unmodelled objects as one request at a time, with the same calls, and a slow
list no longer holds back the ones after it."""

from __future__ import annotations

from collections import Counter

import pytest

from app.cloudstack.client import CloudStackClient
from app.imports.cloud import read_rows
from app.sandbox.server import RunningSandbox, apply_knobs
from tests.cloudstack.conftest import make_client
from tests.cloudstack.test_concurrent_reads import _rich
from tests.cloudstack.test_projects_ahead import _answered


def test_the_imports_lists_go_side_by_side_and_read_the_same(
    sandbox: RunningSandbox, client: CloudStackClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    projects = _rich(client)
    wanted = [projects["payments"], projects["search"]]  # read one by one
    swept = [*wanted, projects["analytics"]]  # more than PER_PROJECT_MAX: one sweep
    answered = _answered(sandbox, monkeypatch)
    one_at_a_time = make_client(sandbox, concurrency=1)
    alone = read_rows(one_at_a_time, wanted), read_rows(one_at_a_time, swept)
    calls_alone, answered[:] = Counter(answered), []
    apply_knobs(sandbox.api, {"latency": {"listNetworks": 1.0}})
    side_by_side = read_rows(client, wanted), read_rows(client, swept)
    assert side_by_side == alone and Counter(answered) == calls_alone
    payments = alone[0][projects["payments"].id]
    assert len(payments.rows["instance"]) == 2 and list(payments.members.values()) == [
        ["web-1", "web-2"]
    ]
    # the lists after listNetworks, the key pairs and the kinds not modelled did not wait
    for command in ("listVirtualMachines", "listSSHKeyPairs", "listAutoScaleVmGroups"):
        assert answered.index(command) < answered.index("listNetworks"), answered
