"""`stackgate sandbox` as an operator runs it: a process that prints its endpoint and keys."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import cs
import pytest

from app.background import free_port
from app.cloudstack.signing import sign
from tests.cloudstack.builders import PUBLIC_KEY


class _Fixed(cs.CloudStack):
    def _sign(self, data: dict[str, str]) -> None:
        data["signature"] = sign(data, self.secret or "")


def _wait_for(port: int) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    pytest.fail("stackgate sandbox did not start listening")


def test_the_sandbox_command_serves_what_it_prints(tmp_path: Path) -> None:
    port = free_port(0)
    state = tmp_path / "cloud.json"
    command = [sys.executable, "-m", "app", "sandbox", "--port", str(port), "--api-key", "ops-key",
               "--secret-key", "ops~secret", "--state", str(state)]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    try:
        _wait_for(port)
        client = _Fixed(
            endpoint=f"http://127.0.0.1:{port}/client/api", key="ops-key", secret="ops~secret"
        )
        project = client.listProjects(name="search")["project"][0]
        client.registerSSHKeyPair(name="k", projectid=project["id"], publickey=PUBLIC_KEY)
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=10)
    assert f"CloudStack sandbox: http://127.0.0.1:{port}/client/api" in output
    assert "api key:    ops-key" in output and "secret key: ops~secret" in output
    assert "STACKGATE_CLOUDSTACK_URL=" in output
    assert '"name": "k"' in state.read_text()  # the cloud was kept in the state file
