"""The command as a whole: every command listed and answering, the version the package has, and
the commands run most often loading none of the libraries the service and the cloud need."""

from __future__ import annotations

import re
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.cli import cli

ROOT = Path(__file__).parents[2]
EXAMPLE = ROOT / "examples" / "infra"
COMMANDS = [
    "validate", "plan", "apply", "reconcile", "schema", "demo", "sandbox",
    "serve", "worker", "ci", "import", "policy",
]  # fmt: skip
# what the web service, the store, the forges, the policy engine and the CloudStack client load
HEAVY = [
    "aiohttp", "alembic", "cs", "fastapi", "github", "gitlab", "httpx", "jinja2", "opa_client",
    "psycopg", "regorus", "requests", "sqlalchemy", "starlette", "uvicorn",
    "app.apply", "app.cloudstack", "app.flows", "app.plan", "app.policy", "app.store",
]  # fmt: skip
LOADED = """
import sys
from app.cli import cli
try:
    cli(sys.argv[1:], standalone_mode=False)
except SystemExit:
    pass
print(*sorted(name for name in sys.modules if name.split(".")[0] in {heavy} or
      any(name == h or name.startswith(h + ".") for h in {heavy})))
"""
runner = CliRunner()


def test_help_lists_every_command() -> None:
    result = runner.invoke(cli, ["--help"])
    assert result.exit_code == 0
    listed = re.findall(r"^│ (\w+) ", result.output, re.MULTILINE)
    assert listed == COMMANDS  # in the README's order


def test_version_is_the_packages() -> None:
    result = runner.invoke(cli, ["--version"])
    assert (result.exit_code, result.output) == (0, f"stackgate {version('stackgate')}\n")


@pytest.mark.parametrize(
    "args", [["--version"], ["--help"], ["validate", str(EXAMPLE)], ["plan", "--help"]]
)
def test_a_quick_command_loads_no_service_store_or_cloud_library(args: list[str]) -> None:
    code = LOADED.format(heavy=repr(set(HEAVY)))
    done = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert done.stdout.splitlines()[-1] == ""


def test_a_configured_cloud_loads_no_sandbox_web_server() -> None:
    """The built-in sandbox's server (uvicorn, FastAPI) loads only when a cloud is the sandbox:
    a plan against a real cloud does not pay for it at start."""
    code = (
        "import sys; import app.cloudstack.clouds, app.flows.planning; "
        "print(sorted(m for m in sys.modules if m.startswith(('uvicorn', 'app.sandbox'))))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert done.stdout.strip() == "[]"
