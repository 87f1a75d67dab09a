"""Each pull request the dashboard names links to it on its forge, wherever the forge runs."""

from __future__ import annotations

from app.config import Settings
from app.dashboard.links import PullLinks


def test_github_com_and_gitlab_com_by_default() -> None:
    link = PullLinks(Settings())
    assert link("github", "acme/infra", 7) == "https://github.com/acme/infra/pull/7"
    assert link("gitlab", "acme/infra", 7) == "https://gitlab.com/acme/infra/-/merge_requests/7"


def test_github_enterprise_and_a_gitlab_under_a_path() -> None:
    settings = Settings(
        github_api_url="https://ghe.example:8443/api/v3", gitlab_url="https://git.example/gl/"
    )
    link = PullLinks(settings)
    assert link("github", "acme/infra", 7) == "https://ghe.example:8443/acme/infra/pull/7"
    assert link("gitlab", "grp/sub/infra", 2) == (
        "https://git.example/gl/grp/sub/infra/-/merge_requests/2"
    )


def test_a_local_pull_request_has_nowhere_to_link() -> None:
    assert PullLinks(Settings())("local", "infra", 1) is None
