"""Which CI job this is, from its environment: GitHub Actions events and GitLab pipelines."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.events.ci import NotCi, Step, detect

PAYLOADS = Path(__file__).parents[1] / "payloads" / "github"


def _actions(tmp_path: Path, name: str, **change: object) -> dict[str, str]:
    payload = json.loads((PAYLOADS / f"{name}.json").read_text())
    payload["pull_request"].update(change)
    path = tmp_path / "event.json"
    path.write_text(json.dumps(payload))
    return {
        "GITHUB_ACTIONS": "true",
        "GITHUB_EVENT_NAME": "pull_request",
        "GITHUB_EVENT_PATH": str(path),
        "GITHUB_REPOSITORY": "acme/infra",
        "GITHUB_TOKEN": "ghs_test",
    }


def test_a_pull_request_event_is_reviewed_and_a_merged_one_landed(tmp_path: Path) -> None:
    opened = detect(_actions(tmp_path, "pull_request.opened"))
    assert (opened.forge, opened.repo, opened.step) == ("github", "acme/infra", Step.REVIEW)
    assert opened.api_url == "https://api.github.com" and opened.number is not None
    assert opened.token.get_secret_value() == "ghs_test" and "ghs_test" not in repr(opened)
    merged = detect(_actions(tmp_path, "pull_request.closed", merged=True))
    closed = detect(_actions(tmp_path, "pull_request.closed", merged=False))
    assert (merged.step, closed.step) == (Step.LAND, Step.CLOSE)


@pytest.mark.parametrize("name", ["pull_request.labeled", "pull_request.unlabeled"])
def test_a_label_added_or_removed_is_reviewed_again(tmp_path: Path, name: str) -> None:
    assert detect(_actions(tmp_path, name)).step is Step.REVIEW  # labels are policy input


def test_gitlab_merge_request_and_default_branch_pipelines() -> None:
    base = {
        "GITLAB_CI": "true",
        "CI_SERVER_URL": "https://gitlab.example",
        "CI_PROJECT_PATH": "group/infra",
        "STACKGATE_GITLAB_TOKEN": "glpat-test",
        "GITLAB_USER_LOGIN": "lee",
    }
    review = detect({**base, "CI_MERGE_REQUEST_IID": "7"})
    assert (review.forge, review.repo, review.step, review.number) == (
        "gitlab",
        "group/infra",
        Step.REVIEW,
        7,
    )
    main = {"CI_COMMIT_BRANCH": "main", "CI_DEFAULT_BRANCH": "main", "CI_COMMIT_SHA": "abc123"}
    land = detect({**base, **main})
    assert (land.step, land.number, land.commit) == (Step.LAND, None, "abc123")
    train = {"CI_MERGE_REQUEST_EVENT_TYPE": "merge_train", "CI_COMMIT_SHA": "def456"}
    checked = detect({**base, "CI_MERGE_REQUEST_IID": "7", **train})
    assert (checked.step, checked.number, checked.commit) == (Step.TRAIN, 7, "def456")


@pytest.mark.parametrize(
    ("env", "said"),
    [
        ({}, "not a GitHub Actions or GitLab CI job"),
        (
            {"GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": "pull_request"},
            "GITHUB_TOKEN is not set",
        ),
        ({"GITLAB_CI": "true", "CI_MERGE_REQUEST_IID": "7"}, "STACKGATE_GITLAB_TOKEN is not set"),
        (
            {"GITLAB_CI": "true", "STACKGATE_GITLAB_TOKEN": "t", "CI_PROJECT_PATH": "g/i"},
            "merge request pipelines and on the default branch",
        ),
    ],
)
def test_what_is_missing_is_said(env: dict[str, str], said: str) -> None:
    with pytest.raises(NotCi, match=said):
        detect(env)


def test_an_event_ci_mode_does_not_act_on_is_named(tmp_path: Path) -> None:
    env = _actions(tmp_path, "pull_request.opened") | {"GITHUB_EVENT_NAME": "schedule"}
    with pytest.raises(NotCi, match="does not act on schedule events"):
        detect(env)
