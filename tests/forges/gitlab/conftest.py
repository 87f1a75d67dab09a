"""One fake GitLab per test module, and a fresh repository per test so tests stay apart."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from app.forges.gitlab.client import GitLabForge
from tests.fakes.gitlab import GitLabFake

FILES = {
    "stackgate.yaml": b"defaults:\n  cloud: lab\n",
    "projects/web.yaml": b"name: web\n",
    "projects/db/main.yaml": b"name: db\n",
}


@pytest.fixture(scope="module")
def fake() -> Iterator[GitLabFake]:
    server = GitLabFake().start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def forge(fake: GitLabFake) -> GitLabForge:
    return GitLabForge(fake.api_url, token=fake.token, timeout=5)


@pytest.fixture
def repo(fake: GitLabFake, request: pytest.FixtureRequest) -> str:
    name = f"acme/{request.node.name.replace('[', '-').rstrip(']')}"
    fake.create_repo(name, FILES, links={"projects/alias.yaml": "web.yaml"})
    return name
