"""Where a pull request lives on its forge, so every one the dashboard names links to it."""

from __future__ import annotations

from urllib.parse import urlsplit

from app.config import Settings


class PullLinks:
    """The web address of a pull request from the forge's configured URL; none for the local
    forge, whose pull requests exist only in a checkout."""

    def __init__(self, settings: Settings) -> None:
        api = urlsplit(settings.github_api_url)
        # api.github.com serves github.com; GitHub Enterprise serves its API under /api/v3
        self._github = f"{api.scheme}://{api.netloc.removeprefix('api.')}"
        self._gitlab = settings.gitlab_url.rstrip("/")

    def __call__(self, forge: str, repo: str, number: int) -> str | None:
        if forge == "github":
            return f"{self._github}/{repo}/pull/{number}"
        if forge == "gitlab":
            return f"{self._gitlab}/{repo}/-/merge_requests/{number}"
        return None
