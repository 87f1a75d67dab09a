"""The apply tests' cloud: a sandbox process per test, killed with the test, not with an apply."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.apply.cloud import sandbox_process


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[str]:
    with sandbox_process(tmp_path / "cloud.json") as base:
        yield base
