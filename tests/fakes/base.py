"""What every forge fake offers the scenario tests, so one scenario table runs on both hosts.

A fake is a stateful HTTP server on loopback that the real client library talks to. Tests
drive it like a person would (open a PR, push, approve, comment) and it hands back the
webhook delivery the real host would send for that action, built from recorded examples.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True)
class Delivery:
    """One webhook request as the host would send it, before signing (the test signs)."""

    path: str  # /webhooks/github or /webhooks/gitlab
    headers: dict[str, str]  # event kind, delivery id; no signature or token yet
    body: bytes


@dataclass(frozen=True)
class SeenComment:
    id: int
    author: str
    body: str


@dataclass(frozen=True)
class SeenStatus:
    context: str
    state: str  # in the host's own words (GitHub success/failure/…, GitLab success/failed/…)
    description: str


@dataclass(frozen=True)
class SeenIssue:
    number: int
    author: str
    title: str
    body: str
    open: bool


@dataclass
class FailurePlan:
    """Make the next ``count`` API calls answer ``status`` (optionally only matching ``path``
    and ``method``). With ``after`` the call is carried out first and only its answer is the
    failure: a gateway that timed out or dropped the answer of a write that did happen."""

    count: int
    status: int
    path_contains: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    method: str = ""
    after: bool = False

    def matches(self, method: str, path: str, after: bool) -> bool:
        wanted = self.method in ("", method) and self.path_contains in path
        return self.count > 0 and self.after == after and wanted


class ForgeFake(Protocol):
    name: str  # github, gitlab
    api_url: str  # what the client library is pointed at
    bot: str  # the login the bot's token belongs to

    def create_repo(self, repo: str, files: dict[str, bytes], branch: str = "main") -> str:
        """A repository with one commit holding ``files``; returns that commit's sha."""
        ...

    def open_pr(
        self,
        repo: str,
        author: str,
        changes: dict[str, bytes | None],  # path → new bytes, None deletes
        *,
        draft: bool = False,
        fork: bool = False,
        title: str = "Change infrastructure",
    ) -> tuple[int, Delivery]: ...

    def push(
        self, repo: str, number: int, changes: dict[str, bytes | None], by: str | None = None
    ) -> Delivery:
        """A new commit on the PR's branch, written and pushed by ``by`` (default: its author)."""
        ...

    def approve(self, repo: str, number: int, user: str) -> Delivery: ...

    def comment(self, repo: str, number: int, user: str, body: str) -> tuple[int, Delivery]: ...

    def close(self, repo: str, number: int, *, merged: bool, by: str | None = None) -> Delivery: ...

    def mark_ready(self, repo: str, number: int) -> Delivery: ...

    def label(self, repo: str, number: int, user: str, name: str, *, on: bool = True) -> Delivery:
        """``user`` adds the label ``name`` to the PR (``on=False``: takes it off)."""
        ...

    def grant(self, repo: str, user: str, write: bool) -> None:
        """Give ``user`` write access (GitHub write, GitLab developer) or read only."""
        ...

    def add_group(self, repo: str, group: str, members: list[str]) -> None:
        """A team (GitHub, in the repo's org) or group (GitLab) named ``group``."""
        ...

    def fail_next(self, plan: FailurePlan) -> None: ...

    def head_sha(self, repo: str, number: int) -> str: ...

    def tip(self, repo: str) -> str:
        """The commit the default branch points at."""
        ...

    def comments(self, repo: str, number: int) -> list[SeenComment]: ...

    def statuses(self, repo: str, sha: str) -> dict[str, SeenStatus]:
        """The latest status per context on ``sha``."""
        ...

    def reactions(self, repo: str, comment_id: int) -> list[str]: ...

    def issues(self, repo: str) -> list[SeenIssue]:
        """Issues that are not pull requests, oldest first."""
        ...

    def unsupported_delivery(self) -> Delivery:
        """A real delivery stackgate does not act on (e.g. a push or a star)."""
        ...
