"""GitHub behind the Forge protocol, through PyGithub, with every failure as a ForgeError."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any
from urllib.parse import quote

from github.ContentFile import ContentFile
from github.GithubException import GithubException
from github.GithubObject import NotSet
from github.Issue import Issue
from github.IssueComment import IssueComment
from github.PullRequest import PullRequest as GitHubPull
from github.PullRequestReview import PullRequestReview
from github.Repository import Repository

from app.events.model import Approval, PullRequest
from app.forges.base import (
    COMMENT_MARKER,
    Branch,
    ForgeError,
    Reaction,
    StatusState,
    TreeFile,
    cannot_merge,
)
from app.forges.github.errors import limited, said, translated, unless_missing
from app.forges.github.sessions import Sessions

_WRITE_ROLES = frozenset({"admin", "maintain", "write"})
_DECIDING_REVIEWS = frozenset({"APPROVED", "CHANGES_REQUESTED", "DISMISSED"})
_SYMLINK_MODE = "120000"


class GitHubForge:
    name = "github"
    status_limit = 140  # GitHub answers 422 to longer status descriptions
    comment_limit = 65_000  # GitHub's cap is 65,536; keep a margin for the marker

    def __init__(
        self,
        api_url: str = "https://api.github.com",
        token: str | None = None,
        app_id: int | None = None,
        private_key: str | None = None,
        timeout: float = 15.0,
        bot: str | None = None,
    ) -> None:
        self._sessions = Sessions(api_url, token, app_id, private_key, timeout, bot)

    def pull_request(self, repo: str, number: int) -> PullRequest:
        with self._call(f"reading pull request {repo}#{number}"):
            pr = self._repo(repo).get_pull(number)
            head_repo = pr.head.repo
            is_open = pr.state == "open"
            return PullRequest(
                forge=self.name,
                repo=repo,
                number=number,
                author=pr.user.login,
                base_ref=pr.base.ref,
                head_sha=pr.head.sha,
                labels=tuple(label.name for label in pr.labels),
                draft=bool(pr.draft),
                approvals=_approvals(pr),
                base_sha=pr.base.sha,
                # before merging it is the test merge; only trust it once GitHub says mergeable
                merge_sha=(pr.merge_commit_sha or "") if is_open and pr.mergeable is True else "",
                conflict=_conflict(pr) if is_open and pr.mergeable is False else "",
                merged_sha=(pr.merge_commit_sha or "") if pr.merged else "",
                merged_by=pr.merged_by.login if pr.merged and pr.merged_by else "",
                fork=head_repo is None or head_repo.full_name != pr.base.repo.full_name,
                state="merged" if pr.merged else pr.state,
                title=pr.title or "",
            )

    def merge_request_of(self, repo: str, sha: str) -> int | None:
        """The merged pull request whose merge left ``sha`` on its base (a push to the
        default branch knows only the commit)."""
        with self._call(f"finding the pull request that merged {sha[:12]} in {repo}"):
            found = self._repo(repo).get_commit(sha).get_pulls()
            merged = [pr.number for pr in found if pr.merged_at and pr.merge_commit_sha == sha]
            return merged[0] if merged else None

    def merged_heads(self, repo: str, base_sha: str, head_sha: str) -> list[str]:
        with self._call(f"comparing {base_sha[:12]}...{head_sha[:12]} in {repo}"):
            compared = self._repo(repo).compare(base_sha, head_sha)
            # oldest first; a merge commit's first parent is the group so far
            return [parent.sha for made in compared.commits for parent in made.parents[1:]]

    def changed_paths(self, repo: str, number: int) -> set[str]:
        with self._call(f"listing files of {repo}#{number}"):
            paths: set[str] = set()
            for changed in self._repo(repo).get_pull(number).get_files():
                paths.add(changed.filename)
                if changed.previous_filename:
                    paths.add(changed.previous_filename)
            return paths

    def tree(self, repo: str, ref: str) -> list[TreeFile]:
        with self._call(f"reading the tree of {repo} at {ref}"):
            tree = self._repo(repo).get_git_tree(ref, recursive=True)
            if tree.truncated:
                raise ForgeError(
                    f"GitHub truncated the tree of {repo} at {ref} (over 100,000 entries or 7 MB)",
                    transient=False,
                )
            return [
                TreeFile(item.path, item.size or 0, symlink=item.mode == _SYMLINK_MODE)
                for item in tree.tree
                if item.type == "blob"
            ]

    def read_file(self, repo: str, ref: str, path: str) -> bytes | None:
        with self._call(f"reading {path} of {repo} at {ref}"):
            github_repo = self._repo(repo)
            found = unless_missing(lambda: github_repo.get_contents(path, ref=ref), None)
            if found is None or isinstance(found, list):  # missing, or a directory
                return None
            return _content(github_repo, found)

    def upsert_comment(self, repo: str, number: int, parts: list[str]) -> None:
        with self._call(f"updating the plan comment on {repo}#{number}"):
            issue = self._repo(repo).get_issue(number)
            mine = self._sticky(repo, issue)
            for old, part in zip(mine, parts, strict=False):
                if old.body != part:
                    old.edit(part)
            for part in parts[len(mine) :]:
                issue.create_comment(part)
            for extra in mine[len(parts) :]:
                extra.delete()

    def sticky_comment(self, repo: str, number: int) -> str | None:
        with self._call(f"reading the plan comment on {repo}#{number}"):
            mine = self._sticky(repo, self._repo(repo).get_issue(number))
            return (mine[0].body or "") if mine else None

    def _sticky(self, repo: str, issue: Issue) -> list[IssueComment]:
        bot = self._sessions.bot(repo)
        return [
            comment
            for comment in issue.get_comments()
            if comment.user is not None
            and comment.user.login == bot
            and (comment.body or "").startswith(COMMENT_MARKER)
        ]

    def comment(self, repo: str, number: int, body: str) -> None:
        with self._call(f"commenting on {repo}#{number}"):
            self._repo(repo).get_issue(number).create_comment(body)

    def set_status(
        self, repo: str, sha: str, context: str, state: StatusState, description: str, url: str
    ) -> None:
        if len(description) > self.status_limit:
            description = description[: self.status_limit - 1] + "…"
        with self._call(f"setting status {context} on {repo}@{sha[:12]}"):
            self._repo(repo).get_commit(sha).create_status(
                state.value,  # our StatusState words are GitHub's own
                target_url=url or NotSet,
                description=description,
                context=context,
            )

    def approvals(self, repo: str, number: int) -> tuple[Approval, ...]:
        with self._call(f"listing reviews of {repo}#{number}"):
            return _approvals(self._repo(repo).get_pull(number))

    def group_members(self, repo: str, group: str) -> set[str]:
        org, slash, team = group.removeprefix("@").rpartition("/")
        org = org if slash else repo.partition("/")[0]  # a bare team name: the repo owner's
        with self._call(f"listing the members of team {org}/{team}"), _members_needed(org, team):
            found = self._sessions.client(repo).get_organization(org).get_team_by_slug(team)
            # 404: no such team, or one the bot may not see: nobody is in it for us
            return unless_missing(lambda: {m.login for m in found.get_members()}, set())

    def can_write(self, repo: str, user: str) -> bool:
        with self._call(f"reading the permission of {user} on {repo}"):
            requester = self._sessions.client(repo).requester
            path = f"/repos/{repo}/collaborators/{quote(user)}/permission"
            # one GET for both fields (PyGithub's two helpers would fetch it twice); 404: stranger
            nothing: dict[str, Any] = {}
            data = unless_missing(lambda: requester.requestJsonAndCheck("GET", path)[1], nothing)
            # a custom role_name carries its base role in permission, so either may say write
            return bool({data.get("role_name"), data.get("permission")} & _WRITE_ROLES)

    def commit_authors(self, repo: str, number: int) -> set[str]:
        with self._call(f"listing the commits of {repo}#{number}"):
            found = set()
            for commit in self._repo(repo).get_pull(number).get_commits():
                for who in (commit.author, commit.committer):
                    # a commit made in the web editor is committed by GitHub's web-flow
                    if who is not None and who.login != _WEB_FLOW:
                        found.add(who.login)
            return found

    def react(self, repo: str, number: int, comment_id: int, reaction: Reaction) -> None:
        with self._call(f"reacting to comment {comment_id} on {repo}#{number}"):
            comment = self._repo(repo).get_issue(number).get_comment(comment_id)
            comment.create_reaction(reaction.value)

    def default_branch(self, repo: str) -> Branch:
        with self._call(f"reading the default branch of {repo}"):
            github_repo = self._repo(repo)
            name = github_repo.default_branch
            return Branch(name, github_repo.get_git_ref(f"heads/{name}").object.sha)

    def report_issue(self, repo: str, title: str, body: str | None) -> None:
        with self._call(f"reporting '{title}' on {repo}"):
            github_repo = self._repo(repo)
            bot = self._sessions.bot(repo)
            # PyGithub takes a login here (it checks for str or NamedUser); its hint says only
            # NamedUser, and fetching one would cost a call.
            listed = github_repo.get_issues(state="open", creator=bot)  # type: ignore[arg-type]
            mine = [
                issue for issue in listed if issue.pull_request is None and issue.title == title
            ]
            if body is None:
                for issue in mine:
                    issue.edit(state="closed")
                return
            body = body[: self.comment_limit]
            if not mine:
                github_repo.create_issue(title=title, body=body)
            elif mine[0].body != body:
                mine[0].edit(body=body)

    def _repo(self, repo: str) -> Repository:
        return self._sessions.client(repo).get_repo(repo)

    def _call(self, what: str) -> AbstractContextManager[None]:
        return translated(what, self._sessions.secrets, self._sessions.renew)


_WEB_FLOW = "web-flow"


@contextmanager
def _members_needed(org: str, team: str) -> Iterator[None]:
    """A 403 on a team is a token without the right to read teams: say which token has it."""
    try:
        yield
    except GithubException as error:
        if error.status != 403 or limited(error):
            raise
        raise ForgeError(
            f"GitHub refused to list the members of team {org}/{team} (HTTP 403: "
            f"{said(error.data)}), so `@{team}` owners cannot be matched: give stackgate a "
            "token that may read teams — a user's token with read:org, or a GitHub App's "
            "installation token with the Members (read) permission; an Actions GITHUB_TOKEN "
            "never may (in CI: STACKGATE_GITHUB_TOKEN)",
            transient=False,
        ) from None


def _conflict(pr: GitHubPull) -> str:
    """GitHub found no clean test merge (``mergeable: false``, state ``dirty``)."""
    return cannot_merge(f"#{pr.number}", pr.base.ref, "GitHub: merge conflict")


def _approvals(pr: GitHubPull) -> tuple[Approval, ...]:
    """Per reviewer, the latest deciding review counts; an approval keeps its own commit."""
    latest: dict[str, PullRequestReview] = {}
    for review in pr.get_reviews():  # GitHub lists them oldest first
        if review.user is not None and review.state in _DECIDING_REVIEWS:
            latest[review.user.login] = review
    return tuple(
        Approval(user, review.commit_id, str(review.id))
        for user, review in latest.items()
        if review.state == "APPROVED"
    )


def _content(repo: Repository, found: ContentFile) -> bytes | None:
    if found.type == "symlink":  # GitHub answers so when the link does not lead to a file
        return (found.raw_data.get("target") or "").encode()
    if found.type != "file":  # a submodule
        return None
    if found.encoding == "base64":
        return found.decoded_content
    # over 1 MB the contents API leaves the content out; the blob API serves up to 100 MB
    return base64.b64decode(repo.get_git_blob(found.sha).content)
