"""A fresh sandbox for each client run, the locally built tools, and which commands the sandbox
does not serve yet (a client that needs one is skipped naming it, never run into a 432)."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

import app.sandbox.commands  # noqa: F401 - registers the command handlers
from app.sandbox.api import HANDLERS
from app.sandbox.contract import command_spec
from app.sandbox.launch import start_sandbox
from app.sandbox.server import RunningSandbox
from bench.clients import ansible_env, ansible_playbook, find_tool

API_KEY = "clients-key"
SECRET_KEY = "clients-secret-not-for-real-use"


@pytest.fixture
def cloud() -> Iterator[RunningSandbox]:
    """A sandbox of this test's own: the clients name their objects alike."""
    running = start_sandbox(api_key=API_KEY, secret_key=SECRET_KEY)
    yield running
    running.stop()


def tool(name: str) -> Path:
    """A binary `make test` builds into .tools/bin; CI must have it, a local run may skip."""
    found = find_tool(name)
    if found is not None:
        return found
    if os.environ.get("CI"):
        pytest.fail(f"{name} is not built: `make test` builds it; CI must have it")
    pytest.skip(f"{name} is not built (`make test` builds it)")


def skip_unless_served(client: str, *commands: str) -> None:
    """Skip, naming the client and the commands, when the sandbox does not serve them yet (a
    command is served when its contract lets it in and a handler answers it)."""
    missing = [name for name in commands if name not in HANDLERS or command_spec(name) is None]
    if missing:
        pytest.skip(
            f"sandbox fault: {client} calls {', '.join(missing)}, which the sandbox "
            "(app/sandbox: contract.json and commands/) does not serve; CloudStack does"
        )


def run_playbook(
    cloud: RunningSandbox, home: Path, playbook: Path, **variables: str
) -> subprocess.CompletedProcess[str]:
    """``ansible-playbook`` on localhost against ``cloud``'s payments project, confined to
    ``home``; asserts it succeeded and answers the run for what the caller reads of it."""
    run = subprocess.run(
        [
            str(ansible_playbook()),
            "--inventory=localhost,",
            "--connection=local",
            f"--extra-vars={json.dumps(variables)}",
            str(playbook),
        ],
        env=ansible_env(cloud.url, API_KEY, SECRET_KEY, home, project="payments"),
        cwd=home,  # no ansible.cfg of anyone's is read
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
    return run
