"""One fake GitLab per test module, and a fresh repository per test so tests stay apart; a
test whose client calls an endpoint docs/gitlab-api.md does not list fails."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from app.forges.gitlab.client import GitLabForge
from tests.fakes.gitlab import GitLabFake
from tests.forges.gitlab.documented import undocumented

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


@pytest.fixture(autouse=True)
def documented_calls_only(request: pytest.FixtureRequest) -> Iterator[None]:
    if "fake" not in request.fixturenames:
        yield
        return
    fake: GitLabFake = request.getfixturevalue("fake")
    before = len(fake.api.calls)
    yield
    assert undocumented(fake.api.calls[before:]) == [], "add them to docs/gitlab-api.md"
