"""The Forge protocol: the few things stackgate asks of GitHub, GitLab or a local checkout.

Flows speak only these words; each forge package turns them into its own API calls and
turns its own failures into ForgeError, so no forge vocabulary leaks past this line.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol, runtime_checkable

from app.events.model import Approval, PullRequest

COMMENT_MARKER = "<!-- stackgate:plan"  # every part of the sticky comment starts with this


def cannot_merge(request: str, target: str, host_says: str) -> str:
    """Why there is nothing to plan, for a pull or merge request the host cannot merge."""
    return (
        f"{request} cannot be merged into `{target}` as it stands ({host_says}), so there is "
        f"no merge result to plan. Resolve its conflicts with `{target}` (merge or rebase "
        f"`{target}` into the branch) and push; stackgate plans what the merge would produce."
    )


class StatusState(StrEnum):
    PENDING = "pending"
    SUCCESS = "success"
    FAILURE = "failure"
    ERROR = "error"


class Reaction(StrEnum):
    SEEN = "eyes"  # GitHub "eyes", GitLab award emoji "eyes"
    REFUSED = "confused"  # GitLab: "confused"


@dataclass(frozen=True, slots=True)
class TreeFile:
    path: str  # posix, relative to the repo root
    size: int
    symlink: bool = False


@dataclass(frozen=True, slots=True)
class Branch:
    name: str
    sha: str


class ForgeError(RuntimeError):
    """The forge failed. ``transient`` says whether trying again later may help (5xx, 429)."""

    def __init__(self, message: str, *, transient: bool, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.transient = transient
        self.retry_after = retry_after


class Forge(Protocol):
    name: str  # "github", "gitlab", "local"
    status_limit: int  # longest status description the host keeps
    comment_limit: int  # longest comment body the host keeps

    def pull_request(self, repo: str, number: int) -> PullRequest:
        """The PR as it is now (head, base, draft, fork, merge state, approvals on any commit)."""
        ...

    def changed_paths(self, repo: str, number: int) -> set[str]:
        """Paths the PR touches, old and new names of renames included."""
        ...

    def tree(self, repo: str, ref: str) -> list[TreeFile]:
        """Every file of the repo at ``ref`` (a sha or branch)."""
        ...

    def read_file(self, repo: str, ref: str, path: str) -> bytes | None:
        """A file's bytes at ``ref``; None when it does not exist there."""
        ...

    def upsert_comment(self, repo: str, number: int, parts: list[str]) -> None:
        """Make the bot's marked comments read ``parts``: edit in place, add, drop extras."""
        ...

    def sticky_comment(self, repo: str, number: int) -> str | None:
        """The first part of the bot's marked comment, as it reads now; None when absent."""
        ...

    def comment(self, repo: str, number: int, body: str) -> None:
        """A one-off comment (a refusal, a help text)."""
        ...

    def set_status(
        self, repo: str, sha: str, context: str, state: StatusState, description: str, url: str
    ) -> None: ...

    def approvals(self, repo: str, number: int) -> tuple[Approval, ...]:
        """Who approved, each with the head commit the approval was given on."""
        ...

    def group_members(self, repo: str, group: str) -> set[str]:
        """Logins in ``@group`` (GitHub ``@org/team`` or a team of the repo's org; GitLab a
        group path); empty when the group does not exist or cannot be read."""
        ...

    def can_write(self, repo: str, user: str) -> bool:
        """Whether ``user`` may push to ``repo`` (GitHub write/maintain/admin, GitLab ≥ 30)."""
        ...

    def commit_authors(self, repo: str, number: int) -> set[str]:
        """Logins of those who wrote or committed the PR's commits, as far as the host can
        tell: they helped make the change, so their approval cannot be the one it needs."""
        ...

    def react(self, repo: str, number: int, comment_id: int, reaction: Reaction) -> None: ...

    def default_branch(self, repo: str) -> Branch:
        """The branch the repo's merges land on, and its tip: what reconcile holds to."""
        ...

    def report_issue(self, repo: str, title: str, body: str | None) -> None:
        """Keep one open issue of the bot's with this title saying ``body``: open it, edit
        it, or with None close it. Reconcile reports drift this way."""
        ...


@runtime_checkable
class MergeQueue(Protocol):
    """What a forge with a merge queue (GitHub) also answers about a group it built."""

    def merged_heads(self, repo: str, base_sha: str, head_sha: str) -> list[str]:
        """The commits the group's merge commits between ``base_sha`` and ``head_sha`` took
        in (each one's later parents), in the order the queue merged them."""
        ...
