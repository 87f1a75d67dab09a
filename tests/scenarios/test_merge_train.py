"""A GitLab merge train's pipeline runs `stackgate ci` on the train's merged result: it passes
when the merge request's projects still change as approved, and fails (saying why on the
merge request) when a car ahead of it in the train changed what it would do, or when the
cars up to it go over a quota together."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from app.cloudstack.client import CloudStackClient
from app.cloudstack.clouds import Clouds
from app.config import Settings
from tests.fakes.gitlab import GitLabFake
from tests.scenarios.harness import example_files
from tests.scenarios.test_ci_mode import _ci
from tests.scenarios.test_domain_quota import _team, retail_projects
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
    gitlab: GitLabFake,
    repo: str,
    tmp_path: Path,
    author: str,
    change: tuple[str, str] | dict[str, bytes | None],
) -> int:
    number, _ = gitlab.open_pr(repo, author, edit(*change) if isinstance(change, tuple) else change)
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


@contextmanager
def _jobs_cloud(tmp_path: Path) -> Iterator[CloudStackClient]:
    """A client of the cloud the CI jobs share (their sandbox's state file), between jobs."""
    with Clouds(Settings(sandbox_state=tmp_path / "cloud.json")) as clouds:
        yield clouds.client("default")


def test_the_car_that_takes_the_train_over_a_domain_quota_fails_alone(
    gitlab: GitLabFake, repo: str, tmp_path: Path
) -> None:
    """Two merge requests on two projects of one domain, each within its limit: reviewed by
    jobs without a shared store, neither counted the other as pending, so both passed. The
    first car's train holds; the second's (the first merged in ahead of it) goes over the
    domain's limit only together, so it fails and is told why, and the first is not."""
    with _jobs_cloud(tmp_path) as client:
        retail = retail_projects(client, cpu=3)  # room for one 2-core instance, not two
    first = _approved(gitlab, repo, tmp_path, "carol", _team("team-a"))
    second = _approved(gitlab, repo, tmp_path, "dana", _team("team-b"))
    said = _train_job(gitlab, repo, tmp_path, first, gitlab.train(repo, [first]))
    assert said.startswith("0 ") and "the merge train's result holds" in said
    said = _train_job(gitlab, repo, tmp_path, second, gitlab.train(repo, [first, second]))
    assert said.startswith("1 ") and "Maximum domain resource limits" in said, said
    (comment,) = [c.body for c in gitlab.comments(repo, second) if c.body.startswith(REFUSED)]
    assert f"for Domain Id = {retail['id']} is exceeded" in comment, said
    assert not [c for c in gitlab.comments(repo, first) if c.body.startswith(REFUSED)]
