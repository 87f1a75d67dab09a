"""How OpenTofu and Ansible are run against a sandbox, shared by bench/peer.py and the client
tests (tests/clients): the tools `make test` builds, OpenTofu's provider found through
dev_overrides (no registry), and Ansible confined to this venv's collection."""

from __future__ import annotations

import os
import shutil
import sys
import sysconfig
from pathlib import Path

TOOLS = Path(__file__).resolve().parents[1] / ".tools" / "bin"


def find_tool(name: str) -> Path | None:
    """A binary from .tools/bin (built by `make test`), else from PATH, else None."""
    local = TOOLS / name
    if local.exists():
        return local
    found = shutil.which(name)
    return Path(found) if found is not None else None


def tofu_env(folder: Path, provider: Path) -> dict[str, str]:
    """The environment of a `tofu` run in ``folder``: a CLI config whose dev_overrides point at
    the provider binary's folder, so `tofu init` and any registry are skipped."""
    (folder / "cli.tfrc").write_text(
        "provider_installation {\n"
        f'  dev_overrides {{ "cloudstack/cloudstack" = "{provider.parent}" }}\n'
        "  direct {}\n"
        "}\n",
        encoding="utf-8",
    )
    return {
        "PATH": f"{TOOLS}:/usr/bin:/bin",
        "HOME": str(folder),
        "TF_CLI_CONFIG_FILE": str(folder / "cli.tfrc"),
        "TF_IN_AUTOMATION": "1",
        "TF_INPUT": "0",
        "CHECKPOINT_DISABLE": "1",  # no version check over the network
    }


def ansible_playbook() -> Path:
    """This venv's ansible-playbook (the `ansible` package pinned in the dev extras)."""
    return Path(sys.executable).with_name("ansible-playbook")


def ansible_env(url: str, key: str, secret: str, home: Path, project: str) -> dict[str, str]:
    """Ansible confined to this venv's collections and a temporary home; no network but the
    sandbox's loopback port. The collection's modules read the connection from CLOUDSTACK_*."""
    return {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(home),
        "ANSIBLE_HOME": str(home / "ansible"),
        "ANSIBLE_LOCAL_TEMP": str(home / "tmp"),
        "ANSIBLE_ASYNC_DIR": str(home / "async"),  # async_status would look in the user's home
        "ANSIBLE_COLLECTIONS_PATH": sysconfig.get_paths()["purelib"],
        "ANSIBLE_COLLECTIONS_SCAN_SYS_PATH": "false",
        "ANSIBLE_PIPELINING": "true",  # one process per task instead of copying files first
        "ANSIBLE_NOCOLOR": "true",
        "ANSIBLE_RETRY_FILES_ENABLED": "false",
        "ANSIBLE_PYTHON_INTERPRETER": sys.executable,
        "PYTHONWARNINGS": "ignore",  # ansible-core's own import of DSA warns on stderr
        "CLOUDSTACK_ENDPOINT": url,
        "CLOUDSTACK_KEY": key,
        "CLOUDSTACK_SECRET": secret,
        "CLOUDSTACK_PROJECT": project,
        "CLOUDSTACK_ZONE": "zone-a",
    }
