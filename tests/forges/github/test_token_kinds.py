"""What GitHub refuses each kind of token, in the fake and as the client says it: an
integration's token (Actions GITHUB_TOKEN, App installation) has no user and reads teams
only with the Members permission; a user's token may do both."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from app.forges.base import COMMENT_MARKER, ForgeError
from app.forges.github.client import GitHubForge
from tests.fakes.github import GitHubFake

REPO = "acme/infra"
ROLES = {"contents": "read", "issues": "write", "pull_requests": "write", "statuses": "write"}


@pytest.fixture(scope="module")
def fake() -> Iterator[GitHubFake]:
    started = GitHubFake().start()
    started.create_repo(REPO, {"stackgate.yaml": b"repo: acme/infra\n"})
    started.add_team("acme", "platform", ["pat"])
    yield started
    started.stop()


def _get(fake: GitHubFake, token: str, path: str) -> tuple[int, str]:
    answer = requests.get(fake.api_url + path, headers={"Authorization": f"token {token}"})
    return answer.status_code, str(
        answer.json().get("message", "") if answer.status_code >= 400 else ""
    )


def test_who_may_ask_whose_token_it_is(fake: GitHubFake) -> None:
    assert _get(fake, fake.token, "/user") == (200, "")
    refused = (403, "Resource not accessible by integration")
    assert _get(fake, fake.actions_token(), "/user") == refused
    assert _get(fake, fake.app_token(), "/user") == refused


def test_who_may_list_a_team(fake: GitHubFake) -> None:
    members = "/orgs/acme/teams/platform/members"
    assert _get(fake, fake.token, members) == (200, "")
    assert _get(fake, fake.app_token(), members) == (200, "")  # Members: read
    refused = (403, "Resource not accessible by integration")
    assert _get(fake, fake.app_token(permissions=ROLES), members) == refused
    assert _get(fake, fake.actions_token(), members) == refused


def test_an_integration_token_comments_as_the_bot_it_is_given(fake: GitHubFake) -> None:
    number, _ = fake.open_pr(REPO, "bob", {"projects/a.yaml": b"project: a\n"})
    forge = GitHubForge(fake.api_url, token=fake.actions_token(), bot="github-actions[bot]")
    forge.upsert_comment(REPO, number, [f"{COMMENT_MARKER}\nplan"])
    forge.upsert_comment(REPO, number, [f"{COMMENT_MARKER}\nplan again"])
    assert [(c.author, c.body.split()[-1]) for c in fake.comments(REPO, number)] == [
        ("github-actions[bot]", "again")
    ]
    nameless = GitHubForge(fake.api_url, token=fake.app_token())
    with pytest.raises(ForgeError, match="STACKGATE_GITHUB_BOT") as raised:
        nameless.sticky_comment(REPO, number)
    assert not raised.value.transient


def test_team_owners_need_a_token_that_may_read_teams(fake: GitHubFake) -> None:
    assert GitHubForge(fake.api_url, token=fake.app_token(), bot="x[bot]").group_members(
        REPO, "@platform"
    ) == {"pat"}
    actions = GitHubForge(fake.api_url, token=fake.actions_token(), bot="github-actions[bot]")
    with pytest.raises(ForgeError, match="Members") as raised:
        actions.group_members(REPO, "@platform")
    assert "read:org" in str(raised.value) and not raised.value.transient
