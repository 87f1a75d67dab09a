"""Scenario fixtures: one fake per forge for the module, a fresh repo and stackgate per test."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.apply.cloud import sandbox_process
from tests.fakes.base import ForgeFake
from tests.fakes.github import GitHubFake
from tests.fakes.gitlab import GitLabFake
from tests.scenarios.harness import Stackgate, example_files, running

_repos = itertools.count(1)
FORGES = ["github", "gitlab"]


@pytest.fixture(scope="module", params=FORGES)
def fake(request: pytest.FixtureRequest) -> Iterator[ForgeFake]:
    made: GitHubFake | GitLabFake = GitHubFake() if request.param == "github" else GitLabFake()
    made.start()
    yield made
    made.stop()


@pytest.fixture
def repo(fake: ForgeFake) -> str:
    """A fresh copy of the example infrastructure repo, with its people and teams."""
    name = f"acme/infra-{next(_repos)}"
    fake.create_repo(name, example_files())
    # bob, carol and dana are team members who open most PRs; mallory and eve are outsiders
    for user in ("alice", "pat", "lee", "maintainer", "bob", "carol", "dana"):
        fake.grant(name, user, write=True)
    fake.grant(name, "mallory", write=False)
    fake.add_group(name, "platform", ["pat"])
    fake.add_group(name, "payments-leads", ["lee"])
    return name


@pytest.fixture
def stackgate(fake: ForgeFake, tmp_path: Path) -> Iterator[Stackgate]:
    with running(fake, tmp_path) as service:
        yield service


@pytest.fixture
def github() -> Iterator[GitHubFake]:
    """A GitHub fake of the test's own, for scenarios run on GitHub only."""
    made = GitHubFake()
    made.start()
    yield made
    made.stop()


@pytest.fixture
def cloud(tmp_path: Path) -> Iterator[str]:
    """A sandbox in its own process, for scenarios whose stackgate runs in processes too."""
    with sandbox_process(tmp_path / "cloud.json") as base:
        yield base
