"""The ngine_io.cloudstack collection, written by CloudStack users against real clouds, runs
its modules for every kind stackgate models against a fresh sandbox: create, run again
without change, change, read back, delete. The playbooks assert each step themselves."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from app.sandbox.server import RunningSandbox
from tests.clients.conftest import run_playbook, skip_unless_served

pytestmark = pytest.mark.clients

PLAYBOOKS = Path(__file__).with_name("ansible")
# What a playbook's module calls that the sandbox may not serve yet: (module, commands).
NEEDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "port_forward.yml": ("cs_portforward", ("listNics",)),
}


def ssh_public_key() -> str:
    """A well-formed ed25519 public key line (cs_sshkeypair parses it with sshpubkeys)."""
    name = b"ssh-ed25519"
    blob = len(name).to_bytes(4, "big") + name + (32).to_bytes(4, "big") + bytes(range(32))
    return f"ssh-ed25519 {base64.b64encode(blob).decode()} ops@example"


@pytest.mark.parametrize("playbook", sorted(path.name for path in PLAYBOOKS.glob("*.yml")))
def test_collection_modules_against_the_sandbox(
    playbook: str, cloud: RunningSandbox, tmp_path: Path
) -> None:
    if playbook in NEEDS:
        module, commands = NEEDS[playbook]
        skip_unless_served(module, *commands)
    run = run_playbook(cloud, tmp_path, PLAYBOOKS / playbook, ssh_key=ssh_public_key())
    assert "failed=0" in run.stdout
