"""`stackgate ci` as GitHub Actions and GitLab CI would run it: a review job and, after the
merge, a land job with a store of its own — the plan comment's stamp carries the approval
across — both through the real client libraries against the forge fakes.

On GitHub the job has the Actions GITHUB_TOKEN, which GitHub refuses ``GET /user`` and an
org's teams; the example repo's owners are teams, so its jobs are also given an App's
installation token (``STACKGATE_GITHUB_TOKEN``, Members: read) and that App's bot name."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.fakes.base import Delivery, ForgeFake
from tests.fakes.github import GitHubFake
from tests.leaks import printed
from tests.scenarios.harness import example_files
from tests.scenarios.test_merges import APPLIED, REFUSED, told
from tests.scenarios.test_pull_requests import LABEL, PAYMENTS, edit, plan_comments


def _clean_env() -> dict[str, str]:
    """This process's environment without any CI's or stackgate's own variables."""
    return {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("STACKGATE_", "GITHUB_", "GITLAB_", "CI_", "CI"))
    }


def _ci(
    fake: ForgeFake, repo: str, tmp_path: Path, job: str, **env: str
) -> subprocess.CompletedProcess[str]:
    common = {
        "STACKGATE_DATABASE_URL": f"sqlite:///{tmp_path / job}.db",  # every job its own store
        "STACKGATE_SANDBOX_STATE": str(tmp_path / "cloud.json"),  # one cloud for all jobs
        "STACKGATE_LOG_LEVEL": "WARNING",
    }
    if isinstance(fake, GitHubFake):
        common |= {
            "GITHUB_ACTIONS": "true",
            "GITHUB_EVENT_NAME": "pull_request",
            "GITHUB_REPOSITORY": repo,
            "GITHUB_API_URL": fake.api_url,
            "GITHUB_TOKEN": fake.actions_token(),
            "STACKGATE_GITHUB_TOKEN": fake.app_token("stackgate"),  # reads `@team` owners
            "STACKGATE_GITHUB_BOT": "stackgate[bot]",
        }
    else:
        token: str = fake.token  # type: ignore[attr-defined]
        common |= {
            "GITLAB_CI": "true",
            "CI_PROJECT_PATH": repo,
            "CI_SERVER_URL": fake.api_url,
            "STACKGATE_GITLAB_TOKEN": token,
            "GITLAB_USER_LOGIN": "bob",
        }
    done = subprocess.run(
        [sys.executable, "-m", "app", "ci"],
        env={**_clean_env(), **common, **env},
        capture_output=True,
        text=True,
        timeout=300,
    )
    return printed(done, "stackgate ci")


def _event(tmp_path: Path, job: str, delivery: Delivery) -> dict[str, str]:
    """GitHub Actions hands the job the webhook payload of its event, as a file."""
    path = tmp_path / f"{job}.json"
    path.write_bytes(delivery.body)
    return {"GITHUB_EVENT_PATH": str(path)}


def _review(fake: ForgeFake, repo: str, tmp_path: Path, number: int, opened: Delivery) -> str:
    env = (
        _event(tmp_path, "review", opened)
        if fake.name == "github"
        else {"CI_MERGE_REQUEST_IID": str(number)}
    )
    done = _ci(fake, repo, tmp_path, "review", **env)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def _land(
    fake: ForgeFake, repo: str, tmp_path: Path, merged: Delivery
) -> subprocess.CompletedProcess[str]:
    if fake.name == "github":
        env = _event(tmp_path, "land", merged)
    else:
        tip = fake.tip(repo)
        env = {"CI_COMMIT_BRANCH": "main", "CI_DEFAULT_BRANCH": "main", "CI_COMMIT_SHA": tip}
    return _ci(fake, repo, tmp_path, "land", **env)


def test_a_review_job_then_a_land_job_apply_the_change(fake, repo, tmp_path: Path) -> None:
    number, opened = fake.open_pr(repo, "bob", edit(*LABEL))
    said = _review(fake, repo, tmp_path, number, opened)
    assert f"#{number}: Plan: 16 to create, 6 to update" in said
    (comment,) = plan_comments(fake, repo, number)
    assert "<!-- stackgate:stamp head=" in comment
    assert set(fake.statuses(repo, fake.head_sha(repo, number))) == {
        "stackgate/plan",
        "stackgate/policy",
        "stackgate/approval",
    }
    for who in ("lee", "pat"):
        fake.approve(repo, number, who)
    landed = _land(fake, repo, tmp_path, fake.close(repo, number, merged=True))
    assert landed.returncode == 0, landed.stdout + landed.stderr
    assert f"#{number} applied" in landed.stdout
    (result,) = told(fake, repo, number, APPLIED)
    assert "All 22 change(s) applied" in result


def test_a_land_job_holds_the_merge_to_the_gate(fake, repo, tmp_path: Path) -> None:
    number, opened = fake.open_pr(repo, "bob", edit(*LABEL))
    _review(fake, repo, tmp_path, number, opened)
    fake.approve(repo, number, "lee")  # the platform team never approved the new limits
    landed = _land(fake, repo, tmp_path, fake.close(repo, number, merged=True))
    assert landed.returncode == 1 and f"#{number} was not applied" in landed.stdout
    (refusal,) = told(fake, repo, number, REFUSED)
    assert "1 approval from @platform" in refusal
    assert "Traceback" not in landed.stdout + landed.stderr


def _user_owned(github: GitHubFake) -> str:
    """The example repo on GitHub with people, not teams, as the payments owners (and a
    person as the platform team: ``STACKGATE_PLATFORM_GROUP`` in the job)."""
    files = example_files()
    files[PAYMENTS] = files[PAYMENTS].replace(b'"@payments-leads"', b"lee")
    github.create_repo("acme/infra", files)
    for user in ("alice", "lee", "pat"):
        github.grant("acme/infra", user, write=True)
    return "acme/infra"


def test_the_actions_token_alone_reviews_a_pull_request(github: GitHubFake, tmp_path) -> None:
    repo = _user_owned(github)
    number, opened = github.open_pr(repo, "bob", edit(*LABEL))
    only_actions = {
        "STACKGATE_GITHUB_TOKEN": "",
        "STACKGATE_GITHUB_BOT": "",
        "STACKGATE_PLATFORM_GROUP": "pat",
    }
    done = _ci(
        github, repo, tmp_path, "review", **_event(tmp_path, "review", opened), **only_actions
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert len(plan_comments(github, repo, number)) == 1
    assert [c.author for c in github.comments(repo, number)] == ["github-actions[bot]"]
    assert ("GET", "/user") not in github.api.requests
    # a second job finds its comment again (the bot's own) instead of adding one
    again = _ci(
        github, repo, tmp_path, "again", **_event(tmp_path, "again", opened), **only_actions
    )
    assert again.returncode == 0 and len(github.comments(repo, number)) == 1


def test_the_actions_token_cannot_read_team_owners_and_says_what_to_give(
    github: GitHubFake, tmp_path: Path
) -> None:
    repo = "acme/infra"
    github.create_repo(repo, example_files())
    github.add_group(repo, "payments-leads", ["lee"])
    _, opened = github.open_pr(repo, "bob", edit(*LABEL))
    only_actions = {"STACKGATE_GITHUB_TOKEN": "", "STACKGATE_GITHUB_BOT": ""}
    event = _event(tmp_path, "review", opened)
    done = _ci(github, repo, tmp_path, "review", **event, **only_actions)
    assert done.returncode == 1
    said = " ".join(done.stdout.split())
    assert "Resource not accessible by integration" in said
    assert "members" in said.lower() and "STACKGATE_GITHUB_TOKEN" in said
    assert "Traceback" not in done.stdout + done.stderr


def _example(github: GitHubFake) -> str:
    """The example repo on a GitHub of the test's own, with its people and teams."""
    repo = "acme/infra"
    github.create_repo(repo, example_files())
    for user in ("alice", "pat", "lee"):
        github.grant(repo, user, write=True)
    github.add_group(repo, "platform", ["pat"])
    github.add_group(repo, "payments-leads", ["lee"])
    return repo


def _job(
    github: GitHubFake, repo: str, tmp_path: Path, job: str, kind: str, body: bytes
) -> subprocess.CompletedProcess[str]:
    path = tmp_path / f"{job}.json"
    path.write_bytes(body)
    done = _ci(github, repo, tmp_path, job, GITHUB_EVENT_NAME=kind, GITHUB_EVENT_PATH=str(path))
    assert "Traceback" not in done.stdout + done.stderr
    return done


def test_a_review_turns_the_approval_status_green(github: GitHubFake, tmp_path: Path) -> None:
    repo = _example(github)
    number, opened = github.open_pr(repo, "bob", edit(*LABEL))
    assert _job(github, repo, tmp_path, "open", "pull_request", opened.body).returncode == 0
    head = github.head_sha(repo, number)
    assert github.statuses(repo, head)["stackgate/approval"].state != "success"
    github.approve(repo, number, "lee")
    approved = github.approve(repo, number, "pat")
    done = _job(github, repo, tmp_path, "review", "pull_request_review", approved.body)
    assert done.returncode == 0, done.stdout
    assert github.statuses(repo, head)["stackgate/approval"].state == "success"


def test_stackgate_commands_run_in_a_comment_job(github: GitHubFake, tmp_path: Path) -> None:
    repo = _example(github)
    number, _ = github.open_pr(repo, "bob", edit(*LABEL))
    said, asked = github.comment(repo, number, "alice", "/stackgate plan")
    done = _job(github, repo, tmp_path, "plan", "issue_comment", asked.body)
    assert done.returncode == 0, done.stdout
    assert github.reactions(repo, said) and len(plan_comments(github, repo, number)) == 1
    _, chat = github.comment(repo, number, "alice", "looks good to me")
    quiet = _job(github, repo, tmp_path, "chat", "issue_comment", chat.body)
    assert quiet.returncode == 0 and "not a /stackgate command" in quiet.stdout


def _push(github: GitHubFake, repo: str, ref: str, pusher: str) -> bytes:
    """The push event's fields stackgate reads, as GitHub Actions hands them to the job."""
    return json.dumps(
        {
            "ref": ref,
            "after": github.tip(repo),
            "repository": {"full_name": repo, "default_branch": "main"},
            "sender": {"login": pusher},
        }
    ).encode()


def test_a_push_to_main_lands_the_pull_request_it_merged(
    github: GitHubFake, tmp_path: Path
) -> None:
    repo = _example(github)
    number, opened = github.open_pr(repo, "bob", edit(*LABEL))
    assert _job(github, repo, tmp_path, "open", "pull_request", opened.body).returncode == 0
    for who in ("lee", "pat"):
        github.approve(repo, number, who)
    github.close(repo, number, merged=True, by="lee")
    elsewhere = _job(
        github, repo, tmp_path, "other", "push", _push(github, repo, "refs/heads/x", "lee")
    )
    assert elsewhere.returncode == 0 and (
        APPLIED not in "".join(told(github, repo, number, APPLIED))
    )
    landed = _job(
        github, repo, tmp_path, "land", "push", _push(github, repo, "refs/heads/main", "lee")
    )
    assert landed.returncode == 0, landed.stdout
    (result,) = told(github, repo, number, APPLIED)
    assert "All 22 change(s) applied" in result
