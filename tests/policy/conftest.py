"""A real OPA server for the policy tests, and both engines as fixtures.

The test command installs OPA (make test builds it from the Go module proxy); run by hand
without it, the OPA tests are skipped — but never in CI, where a missing OPA is a failure.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from app.background import free_port
from app.policy.embedded import EmbeddedEngine
from app.policy.engines import PolicyEngine
from app.policy.model import PolicySet
from app.policy.opa_server import OpaEngine
from app.policy.sources import policy_set, shipped_policies

ROOT = Path(__file__).parents[2]


def opa_binary() -> str | None:
    local = ROOT / ".tools" / "bin" / "opa"
    return str(local) if local.exists() else shutil.which("opa")


@pytest.fixture(scope="session")
def opa_url() -> Iterator[str]:
    binary = opa_binary()
    if binary is None:
        if os.environ.get("CI"):
            pytest.fail("OPA is not installed: `make test` installs it; CI must have it")
        pytest.skip("OPA is not installed (make test installs it)")
    port = free_port(0)
    process = subprocess.Popen(
        [binary, "run", "--server", "--addr", f"127.0.0.1:{port}", "--log-level", "error"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{url}/health", timeout=1).status_code == 200:
                break
        except requests.RequestException:
            time.sleep(0.1)
    else:
        process.kill()
        pytest.fail("OPA did not start")
    yield url
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture(scope="session")
def embedded() -> Iterator[EmbeddedEngine]:
    engine = EmbeddedEngine(timeout=10)
    yield engine
    engine.close()


@pytest.fixture(scope="session")
def opa(opa_url: str) -> Iterator[OpaEngine]:
    engine = OpaEngine(opa_url, timeout=10)
    yield engine
    engine.close()


@pytest.fixture(params=["embedded", "opa"])
def engine(request: pytest.FixtureRequest) -> PolicyEngine:
    return request.getfixturevalue(request.param)  # type: ignore[no-any-return]


@pytest.fixture(scope="session")
def defaults() -> PolicySet:
    return policy_set([(shipped_policies(), "policies")], settings={"platform_group": "@platform"})
