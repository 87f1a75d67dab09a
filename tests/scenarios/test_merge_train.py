"""A GitLab merge train's pipeline runs `stackgate ci` on the train's merged result: it passes
when the merge request's projects still change as approved, and fails (saying why on the
merge request) when a car ahead of it in the train changed what it would do."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fakes.gitlab import GitLabFake
from tests.scenarios.harness import example_files
from tests.scenarios.test_ci_mode import _ci
from tests.scenarios.test_pull_requests import LABEL, edit

REFUSED = "### 🛑 stackgate: the merge train's result"
SIZE = ("root_disk: 40GiB", "root_disk: 60GiB")


@pytest.fixture
def gitlab() -> Iterator[GitLabFake]:
    made = GitLabFake()
    made.start()
    yield made
    made.stop()


@pytest.fixture
def repo(gitlab: GitLabFake) -> str:
    name = "acme/trains"
    gitlab.create_repo(name, example_files())
    for user in ("alice", "pat", "lee", "bob", "carol"):
        gitlab.grant(name, user, write=True)
    gitlab.add_group(name, "platform", ["pat"])
    gitlab.add_group(name, "payments-leads", ["lee"])
    return name


def _approved(
    gitlab: GitLabFake, repo: str, tmp_path: Path, author: str, change: tuple[str, str]
) -> int:
    number, _ = gitlab.open_pr(repo, author, edit(*change))
    # every job a store of its own, as without STACKGATE_DATABASE_URL: no lock spans them
    done = _ci(gitlab, repo, tmp_path, f"review-{number}", CI_MERGE_REQUEST_IID=str(number))
    assert done.returncode == 0, done.stdout + done.stderr
    for who in ("lee", "pat"):
        gitlab.approve(repo, number, who)
    return number


def _train_job(gitlab: GitLabFake, repo: str, tmp_path: Path, number: int, train: str) -> str:
    done = _ci(
        gitlab,
        repo,
        tmp_path,
        f"train-{number}",
        CI_MERGE_REQUEST_IID=str(number),
        CI_MERGE_REQUEST_EVENT_TYPE="merge_train",
        CI_COMMIT_SHA=train,
    )
    assert "Traceback" not in done.stdout + done.stderr
    return f"{done.returncode} {' '.join(done.stdout.split())}"


def test_a_train_whose_result_holds_passes(gitlab: GitLabFake, repo: str, tmp_path: Path) -> None:
    number = _approved(gitlab, repo, tmp_path, "bob", LABEL)
    said = _train_job(gitlab, repo, tmp_path, number, gitlab.train(repo, [number]))
    assert said.startswith("0 ") and "the merge train's result holds" in said
    assert not [c for c in gitlab.comments(repo, number) if c.body.startswith(REFUSED)]


def test_a_car_ahead_that_changes_the_same_project_fails_the_pipeline(
    gitlab: GitLabFake, repo: str, tmp_path: Path
) -> None:
    ahead = _approved(gitlab, repo, tmp_path, "carol", SIZE)
    number = _approved(gitlab, repo, tmp_path, "bob", LABEL)
    train = gitlab.train(repo, [ahead, number])
    said = _train_job(gitlab, repo, tmp_path, number, train)
    assert said.startswith("1 ") and "the merge train's result does not hold" in said
    assert "not the ones planned for the approved head" in said
    (comment,) = [c.body for c in gitlab.comments(repo, number) if c.body.startswith(REFUSED)]
    assert f"`{train[:12]}`" in comment and "Nothing was applied" in comment
