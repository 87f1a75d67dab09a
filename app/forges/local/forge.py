"""A forge on this machine: one bare git repository, and pull requests kept in memory.

It answers the Forge protocol as GitHub and GitLab do, and its people-side verbs (open,
approve, comment, merge) return the event the host would deliver. The demo runs the whole
story on it with no host to reach; nothing here is meant to outlive the process.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

from app.events.commands import parse_command
from app.events.model import (
    Approval,
    Change,
    CommandEvent,
    Ignored,
    PullRequest,
    PullRequestEvent,
    ReviewEvent,
)
from app.forges.base import COMMENT_MARKER, Branch, ForgeError, Reaction, StatusState, TreeFile
from app.forges.local.git import GitError, as_user, blob, files_at, run

BOT = "stackgate"


@dataclass(frozen=True)
class Comment:
    id: int
    author: str
    body: str


def is_plan_part(comment: Comment) -> bool:
    """Whether the comment is a part of stackgate's sticky plan comment."""
    return comment.author == BOT and comment.body.startswith(COMMENT_MARKER)


@dataclass(frozen=True)
class Status:
    state: StatusState
    description: str
    url: str


@dataclass
class Thread:
    """A pull request or an issue: what people and the bot said on it."""

    title: str
    author: str
    comments: list[Comment] = field(default_factory=list)
    body: str = ""
    open: bool = True


@dataclass
class Pull(Thread):
    branch: str = ""
    base: str = "main"
    approvals: list[Approval] = field(default_factory=list)
    merged_sha: str = ""
    merged_by: str = ""


@dataclass
class LocalForge:
    """``repo`` names the one repository, stored bare at ``root``; people push branches to it."""

    root: Path
    repo: str
    writers: set[str] = field(default_factory=set)
    groups: dict[str, set[str]] = field(default_factory=dict)  # "@payments-leads" → logins
    name: str = "local"
    status_limit: int = 140
    comment_limit: int = 65_000
    pulls: dict[int, Pull] = field(default_factory=dict)
    issues: list[Thread] = field(default_factory=list)
    statuses: dict[str, dict[str, Status]] = field(default_factory=dict)  # sha → context → …
    reactions: dict[int, set[Reaction]] = field(default_factory=dict)  # comment id → …
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _lock: threading.RLock = field(default_factory=threading.RLock)  # workers share the forge

    # What people do; each returns what the host would deliver.

    def open_pull(
        self, branch: str, title: str, author: str, base: str = "main"
    ) -> PullRequestEvent:
        with self._lock:
            number = len(self.pulls) + 1
            self.pulls[number] = Pull(title, author, branch=branch, base=base)
            head = self._sha(branch)
        return PullRequestEvent(self.name, self.repo, number, Change.OPENED, head, author)

    def approve(self, number: int, user: str) -> ReviewEvent:
        with self._lock:
            pull = self._pull(number)
            given = str(next(self._ids))  # approving again is a new act, as on a host
            pull.approvals.append(Approval(user, self._sha(pull.branch), given))
        return ReviewEvent(self.name, self.repo, number, user)

    def say(self, number: int, user: str, body: str) -> CommandEvent | Ignored:
        """A person's comment; a ``/stackgate`` command in it is delivered as one."""
        with self._lock:
            comment = Comment(next(self._ids), user, body)
            self._pull(number).comments.append(comment)
        command = parse_command(body)
        if command is None:
            return Ignored("not a /stackgate command")
        verb, args = command
        return CommandEvent(self.name, self.repo, number, user, comment.id, verb, args)

    def merge(self, number: int, user: str) -> PullRequestEvent:
        """Merge with a merge commit, as the hosts' default button does."""
        with self._lock:
            pull = self._pull(number)
            base, head = self._sha(pull.base), self._sha(pull.branch)
            try:
                tree = run(self.root, "merge-tree", "--write-tree", base, head).split()[0]
            except GitError as conflict:
                problem = f"#{number} does not merge cleanly: {conflict}"
                raise ForgeError(problem, transient=False) from None
            message = f"Merge pull request #{number}: {pull.title}"
            parents = ("-p", base, "-p", head)
            commit = run(
                self.root, "commit-tree", tree, *parents, "-m", message, env=as_user(user)
            ).strip()
            run(self.root, "update-ref", f"refs/heads/{pull.base}", commit, base)
            pull.merged_sha, pull.merged_by, pull.open = commit, user, False
        return PullRequestEvent(self.name, self.repo, number, Change.MERGED, head, user)

    # The Forge protocol.

    def pull_request(self, repo: str, number: int) -> PullRequest:
        self._check(repo)
        with self._lock:
            pull = self._pull(number)
            state = "merged" if pull.merged_sha else "open" if pull.open else "closed"
            return PullRequest(
                forge=self.name,
                repo=repo,
                number=number,
                author=pull.author,
                base_ref=pull.base,
                head_sha=self._sha(pull.branch),
                approvals=tuple(pull.approvals),
                base_sha=self._sha(pull.base),
                merged_sha=pull.merged_sha,
                merged_by=pull.merged_by,
                state=state,
                title=pull.title,
            )

    def changed_paths(self, repo: str, number: int) -> set[str]:
        since, head = self._span(repo, number)
        listed = run(self.root, "diff", "--name-only", "--no-renames", since, head)
        return set(listed.split("\n")) - {""}

    def _span(self, repo: str, number: int) -> tuple[str, str]:
        """The PR's commits: from where its branch left the base (before the merge) to its head."""
        self._check(repo)
        pull = self._pull(number)
        head = self._sha(pull.branch)
        base = pull.merged_sha + "^1" if pull.merged_sha else pull.base
        return run(self.root, "merge-base", base, head).strip(), head

    def tree(self, repo: str, ref: str) -> list[TreeFile]:
        self._check(repo)
        with _forge_errors():
            return files_at(self.root, ref)

    def read_file(self, repo: str, ref: str, path: str) -> bytes | None:
        self._check(repo)
        return blob(self.root, ref, path)

    def upsert_comment(self, repo: str, number: int, parts: list[str]) -> None:
        self._check(repo)
        with self._lock:
            comments = self._pull(number).comments
            mine = [comment for comment in comments if is_plan_part(comment)]
            for old, part in zip(mine, parts, strict=False):
                comments[comments.index(old)] = replace(old, body=part)
            for part in parts[len(mine) :]:
                comments.append(Comment(next(self._ids), BOT, part))
            for extra in mine[len(parts) :]:
                comments.remove(extra)

    def sticky_comment(self, repo: str, number: int) -> str | None:
        self._check(repo)
        with self._lock:
            mine = [c.body for c in self._pull(number).comments if is_plan_part(c)]
            return mine[0] if mine else None

    def comment(self, repo: str, number: int, body: str) -> None:
        self._check(repo)
        with self._lock:
            self._pull(number).comments.append(Comment(next(self._ids), BOT, body))

    def set_status(
        self, repo: str, sha: str, context: str, state: StatusState, description: str, url: str
    ) -> None:
        self._check(repo)
        with self._lock:
            shown = description[: self.status_limit]
            self.statuses.setdefault(sha, {})[context] = Status(state, shown, url)

    def approvals(self, repo: str, number: int) -> tuple[Approval, ...]:
        self._check(repo)
        with self._lock:
            return tuple(self._pull(number).approvals)

    def group_members(self, repo: str, group: str) -> set[str]:
        self._check(repo)
        return set(self.groups.get("@" + group.removeprefix("@"), set()))

    def commit_authors(self, repo: str, number: int) -> set[str]:
        """The local forge's people commit under their login (``as_user``)."""
        since, head = self._span(repo, number)
        listed = run(self.root, "log", "--format=%an%n%cn", f"{since}..{head}")
        return set(listed.split("\n")) - {""}

    def can_write(self, repo: str, user: str) -> bool:
        self._check(repo)
        return user in self.writers

    def react(self, repo: str, number: int, comment_id: int, reaction: Reaction) -> None:
        self._check(repo)
        with self._lock:
            self._pull(number)
            self.reactions.setdefault(comment_id, set()).add(reaction)

    def default_branch(self, repo: str) -> Branch:
        self._check(repo)
        name = self._git("symbolic-ref", "--short", "HEAD").strip()
        return Branch(name, self._sha(name))

    def report_issue(self, repo: str, title: str, body: str | None) -> None:
        self._check(repo)
        with self._lock:
            mine = [i for i in self.issues if i.open and i.author == BOT and i.title == title]
            if body is None:
                for issue in mine:
                    issue.open = False
            elif mine:
                mine[0].body = body[: self.comment_limit]
            else:
                self.issues.append(Thread(title, BOT, body=body[: self.comment_limit]))

    # Helpers.

    def _check(self, repo: str) -> None:
        if repo != self.repo:
            raise ForgeError(f"no repository {repo} here (only {self.repo})", transient=False)

    def _pull(self, number: int) -> Pull:
        if number not in self.pulls:
            raise ForgeError(f"no pull request #{number} in {self.repo}", transient=False)
        return self.pulls[number]

    def _sha(self, ref: str) -> str:
        return self._git("rev-parse", "--verify", f"{ref}^{{commit}}").strip()

    def _git(self, *args: str) -> str:
        with _forge_errors():
            return run(self.root, *args)


@contextmanager
def _forge_errors() -> Iterator[None]:
    """git's failures in the Forge protocol's words."""
    try:
        yield
    except GitError as error:
        raise ForgeError(f"git: {error}", transient=False) from None
