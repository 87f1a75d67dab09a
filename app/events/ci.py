"""A CI job as an event: what GitHub Actions or GitLab CI says this run is for.

GitHub Actions: ``GITHUB_EVENT_NAME``, the event's JSON at ``GITHUB_EVENT_PATH``,
``GITHUB_REPOSITORY``, ``GITHUB_API_URL``, ``GITHUB_TOKEN``. A pull_request (or
pull_request_target) opened, pushed, reopened, ready, edited or (un)labeled: review; closed
and merged: land; closed: close. A pull_request_review: judge the approvals again. An
issue_comment with a ``/stackgate`` command on a pull request: the command. A push to the
default branch: land the pull request that commit merged (found through the API).

GitLab CI: a merge request pipeline (``CI_MERGE_REQUEST_IID``) reviews it, unless it is a
merge train's (``CI_MERGE_REQUEST_EVENT_TYPE`` = ``merge_train``): then it checks the train's
merged result (``CI_COMMIT_SHA``) against what the merge request had approved; a pipeline on
the default branch (``CI_COMMIT_BRANCH`` = ``CI_DEFAULT_BRANCH``) lands the merge request
that commit merged. ``CI_PROJECT_PATH``, ``CI_SERVER_URL``; the token is
``STACKGATE_GITLAB_TOKEN`` (a job token may not comment or set statuses).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from app.events.commands import parse_command

# A job has no stored plan to re-judge unless it shares a store, so a label change, which
# only changes policy input, gets the whole review like the others.
_REVIEWED = frozenset(
    {"opened", "synchronize", "reopened", "ready_for_review", "edited", "labeled", "unlabeled"}
)


_ACTIONS_BOT = "github-actions[bot]"
_REVIEW_ACTIONS = frozenset({"submitted", "edited", "dismissed"})


class Step(StrEnum):
    REVIEW = "review"  # plan, judge, comment, statuses
    LAND = "land"  # a merged PR: guard, apply, result
    CLOSE = "close"  # closed unmerged: let its projects go
    APPROVE = "approve"  # a review: judge the approvals again
    COMMAND = "command"  # a `/stackgate` comment
    TRAIN = "train"  # a merge train's merged result: does what was approved still hold?


class NotCi(ValueError):
    """Not in a CI job stackgate understands, or one missing what it needs: says which."""


class NothingToDo(ValueError):
    """A job for an event stackgate does not act on (a plain comment): it passes, saying why."""


@dataclass(frozen=True)
class CiRun:
    forge: str  # github, gitlab
    api_url: str
    token: SecretStr
    repo: str
    step: Step
    sender: str
    number: int | None = None  # None: GitLab's default branch, found from the commit
    commit: str = ""  # the commit the pipeline runs for (GitLab default-branch, train pipelines)
    bot: str = ""  # whom the token comments as, when the forge will not say; "" to ask it
    comment_id: int = 0  # COMMAND: the comment that said it
    command: tuple[str, ...] = ()  # COMMAND: the verb and its args


def detect(env: Mapping[str, str]) -> CiRun:
    if env.get("GITHUB_ACTIONS") == "true":
        return _github(env)
    if env.get("GITLAB_CI") == "true":
        return _gitlab(env)
    raise NotCi("not a GitHub Actions or GitLab CI job (GITHUB_ACTIONS / GITLAB_CI unset)")


def _github(env: Mapping[str, str]) -> CiRun:
    event = env.get("GITHUB_EVENT_NAME", "")
    token, bot = _github_token(env)
    payload = json.loads(Path(_need(env, "GITHUB_EVENT_PATH")).read_text(encoding="utf-8"))
    common = ("github", env.get("GITHUB_API_URL", "https://api.github.com"), SecretStr(token))
    repo, sender = (
        _need(env, "GITHUB_REPOSITORY"),
        str((payload.get("sender") or {}).get("login", "")),
    )
    if event in ("pull_request", "pull_request_target"):
        step = _pull_request_step(payload)
        return CiRun(*common, repo, step, sender, int(payload["number"]), bot=bot)
    if event == "pull_request_review":
        if payload.get("action") not in _REVIEW_ACTIONS:
            raise NothingToDo(f"a review that was {payload.get('action')} changes nothing")
        number = int(payload["pull_request"]["number"])
        return CiRun(*common, repo, Step.APPROVE, sender, number, bot=bot)
    if event == "issue_comment":
        comment_id, command = _command(payload)
        number = int(payload["issue"]["number"])
        return CiRun(*common, repo, Step.COMMAND, sender, number, "", bot, comment_id, command)
    if event == "push":
        return CiRun(*common, repo, Step.LAND, sender, None, _default_tip(payload), bot=bot)
    raise NotCi(f"stackgate ci does not act on {event or 'an unnamed'} events")


def _pull_request_step(payload: dict[str, Any]) -> Step:
    action, pull = payload.get("action"), payload.get("pull_request") or {}
    if action == "closed":
        return Step.LAND if pull.get("merged") else Step.CLOSE
    if action in _REVIEWED:
        return Step.REVIEW
    raise NotCi(f"nothing to do for a pull request that was {action}")


def _command(payload: dict[str, Any]) -> tuple[int, tuple[str, ...]]:
    if payload.get("action") != "created" or not payload["issue"].get("pull_request"):
        raise NothingToDo("only a new comment on a pull request can be a command")
    found = parse_command(str(payload["comment"].get("body") or ""))
    if found is None:
        raise NothingToDo("the comment is not a /stackgate command")
    verb, args = found
    return int(payload["comment"]["id"]), (verb, *args)


def _default_tip(payload: dict[str, Any]) -> str:
    """A push lands only on the default branch (the protected one, where apply keys live)."""
    default = str(payload["repository"]["default_branch"])
    if payload.get("ref") != f"refs/heads/{default}":
        raise NothingToDo(f"a push to {payload.get('ref')}, not to {default}: nothing to apply")
    return str(payload["after"])


def _github_token(env: Mapping[str, str]) -> tuple[str, str]:
    """The token and its bot login: the job's own GITHUB_TOKEN comments as github-actions[bot]
    (GitHub refuses it ``GET /user``); ``STACKGATE_GITHUB_TOKEN`` (a user's token, or an App's
    installation token with ``STACKGATE_GITHUB_BOT`` = ``<app slug>[bot]``) replaces it."""
    given = env.get("STACKGATE_GITHUB_TOKEN")
    if given:
        return given, env.get("STACKGATE_GITHUB_BOT", "")
    token = env.get("GITHUB_TOKEN")
    if not token:
        raise NotCi("GITHUB_TOKEN is not set: pass it to the step (env: GITHUB_TOKEN: …)")
    return token, env.get("STACKGATE_GITHUB_BOT") or _ACTIONS_BOT


def _gitlab(env: Mapping[str, str]) -> CiRun:
    token = env.get("STACKGATE_GITLAB_TOKEN")
    if not token:
        raise NotCi(
            "STACKGATE_GITLAB_TOKEN is not set: a project access token with the api scope "
            "(CI_JOB_TOKEN may not comment on merge requests or set commit statuses)"
        )
    common = (env.get("CI_SERVER_URL", "https://gitlab.com"), SecretStr(token))
    repo, sender = _need(env, "CI_PROJECT_PATH"), env.get("GITLAB_USER_LOGIN", "")
    if env.get("CI_MERGE_REQUEST_IID"):
        number = int(env["CI_MERGE_REQUEST_IID"])
        if env.get("CI_MERGE_REQUEST_EVENT_TYPE") == "merge_train":
            train = _need(env, "CI_COMMIT_SHA")
            return CiRun("gitlab", *common, repo, Step.TRAIN, sender, number, commit=train)
        return CiRun("gitlab", *common, repo, Step.REVIEW, sender, number)
    branch, default = env.get("CI_COMMIT_BRANCH"), env.get("CI_DEFAULT_BRANCH")
    if branch and branch == default:
        return CiRun("gitlab", *common, repo, Step.LAND, sender, commit=_need(env, "CI_COMMIT_SHA"))
    raise NotCi("stackgate ci runs in merge request pipelines and on the default branch")


def _need(env: Mapping[str, str], name: str) -> str:
    value = env.get(name)
    if not value:
        raise NotCi(f"{name} is not set")
    return value
