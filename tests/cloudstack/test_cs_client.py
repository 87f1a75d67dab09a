"""The client loads cs's synchronous client without aiohttp (issue 20, start-up), in a fresh
process as a command starts; `import cs` afterwards takes the same classes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[2]
LOADED = """
import sys
import app.cloudstack.client as client
print(sorted(name for name in sys.modules if name.split(".")[0] in ("aiohttp", "cs")))
import aiohttp, cs
print(cs.CloudStack is client.CloudStack, cs.CloudStackException is client.CloudStackException)
"""


def test_the_cloudstack_client_starts_without_aiohttp_and_cs_shares_its_classes() -> None:
    done = subprocess.run(
        [sys.executable, "-c", LOADED], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert done.stdout.splitlines() == ["['cs.client']", "True True"]
