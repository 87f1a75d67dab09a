"""The ngine_io.cloudstack collection, written by CloudStack users against real clouds, runs
its modules for every kind stackgate models against a fresh sandbox: create, run again
without change, change, read back, delete. The playbooks assert each step themselves."""

from __future__ import annotations

import base64
import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from app.cloudstack.sandbox.server import RunningSandbox
from tests.clients.conftest import API_KEY, SECRET_KEY, skip_unless_served

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


def playbook_env(cloud: RunningSandbox, home: Path) -> dict[str, str]:
    """Ansible confined to this venv's collections and a temporary home; no network but the
    sandbox's loopback port."""
    return {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(home),
        "ANSIBLE_HOME": str(home / "ansible"),
        "ANSIBLE_LOCAL_TEMP": str(home / "tmp"),
        "ANSIBLE_COLLECTIONS_PATH": sysconfig.get_paths()["purelib"],
        "ANSIBLE_COLLECTIONS_SCAN_SYS_PATH": "false",
        "ANSIBLE_PIPELINING": "true",  # one process per task instead of copying files first
        "ANSIBLE_NOCOLOR": "true",
        "ANSIBLE_RETRY_FILES_ENABLED": "false",
        "ANSIBLE_PYTHON_INTERPRETER": sys.executable,
        "PYTHONWARNINGS": "ignore",  # ansible-core's own import of DSA warns on stderr
        "CLOUDSTACK_ENDPOINT": cloud.url,
        "CLOUDSTACK_KEY": API_KEY,
        "CLOUDSTACK_SECRET": SECRET_KEY,
        "CLOUDSTACK_PROJECT": "payments",
        "CLOUDSTACK_ZONE": "zone-a",
    }


@pytest.mark.parametrize("playbook", sorted(path.name for path in PLAYBOOKS.glob("*.yml")))
def test_collection_modules_against_the_sandbox(
    playbook: str, cloud: RunningSandbox, tmp_path: Path
) -> None:
    if playbook in NEEDS:
        module, commands = NEEDS[playbook]
        skip_unless_served(module, *commands)
    run = subprocess.run(
        [
            str(Path(sys.executable).with_name("ansible-playbook")),
            "--inventory=localhost,",
            "--connection=local",
            f"--extra-vars=ssh_key='{ssh_public_key()}'",
            str(PLAYBOOKS / playbook),
        ],
        env=playbook_env(cloud, tmp_path),
        cwd=tmp_path,  # no ansible.cfg of anyone's is read
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
    assert "failed=0" in run.stdout
