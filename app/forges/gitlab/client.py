"""GitLab behind the Forge protocol, through python-gitlab; every failure leaves as ForgeError."""

from __future__ import annotations

from contextlib import AbstractContextManager
from itertools import zip_longest

from gitlab.exceptions import GitlabError
from gitlab.v4.objects import (
    CurrentUserManager,
    Project,
    ProjectMergeRequest,
    ProjectMergeRequestNote,
)

from app.events.model import Approval, PullRequest
from app.forges.base import COMMENT_MARKER, Branch, Reaction, StatusState, TreeFile
from app.forges.gitlab.approvals import approvals_of
from app.forges.gitlab.errors import RetryAfter, is_http, translated
from app.forges.gitlab.merge import merge_result
from app.forges.gitlab.session import connect

_STATES = {"opened": "open", "locked": "open", "closed": "closed", "merged": "merged"}
_STATUS = {
    StatusState.PENDING: "pending",
    StatusState.SUCCESS: "success",
    StatusState.FAILURE: "failed",
    StatusState.ERROR: "failed",
}
DEVELOPER = 30  # GitLab access level that may push


class GitLabForge:
    name = "gitlab"
    status_limit = 255  # GitLab rejects longer commit status descriptions
    comment_limit = 1_000_000  # GitLab's note length limit

    def __init__(
        self, url: str = "https://gitlab.com", *, token: str, timeout: float = 15.0
    ) -> None:
        self._token = token
        self._retry_after = RetryAfter()
        self._gl = connect(url, token, timeout, self._retry_after)
        self._bot_id: int | None = None

    def pull_request(self, repo: str, number: int) -> PullRequest:
        with self._calls():
            project = self._project(repo)
            mr = project.mergerequests.get(number)
            merge_sha, base_sha, conflict = merge_result(project, mr)
        return PullRequest(
            forge=self.name,
            repo=repo,
            number=number,
            author=mr.author["username"],
            base_ref=mr.target_branch,
            head_sha=mr.sha,
            labels=tuple(mr.labels),
            draft=bool(mr.draft),
            approvals=self.approvals(repo, number),
            base_sha=base_sha,
            merge_sha=merge_sha,
            conflict=conflict,
            merged_sha=_merged_sha(mr),
            merged_by=_merged_by(mr),
            fork=mr.source_project_id != mr.target_project_id,
            state=_STATES.get(mr.state, mr.state),
            title=mr.title,
        )

    def changed_paths(self, repo: str, number: int) -> set[str]:
        path = f"/projects/{self._project(repo).encoded_id}/merge_requests/{number}/diffs"
        with self._calls():  # python-gitlab wraps /changes (one capped page), not /diffs
            diffs = self._gl.http_list(path, get_all=True, per_page=self._gl.per_page)
        return {diff[key] for diff in diffs for key in ("old_path", "new_path")}

    def tree(self, repo: str, ref: str) -> list[TreeFile]:
        with self._calls():
            items = self._project(repo).repository_tree(ref=ref, recursive=True, get_all=True)
        # the tree API reports no sizes; 0 says unknown and readers check the bytes they get
        return [
            TreeFile(item["path"], 0, symlink=item["mode"] == "120000")
            for item in items
            if item["type"] == "blob"
        ]

    def read_file(self, repo: str, ref: str, path: str) -> bytes | None:
        with self._calls():
            try:
                return self._project(repo).files.raw(file_path=path, ref=ref)
            except GitlabError as exc:
                if is_http(exc, 404):
                    return None
                raise

    def upsert_comment(self, repo: str, number: int, parts: list[str]) -> None:
        with self._calls():
            mr = self._mr(repo, number)
            ours = self._sticky(mr)
            for note, part in zip_longest(ours, parts):
                if part is None:
                    note.delete()
                elif note is None:
                    mr.notes.create({"body": part})
                elif note.body != part:
                    note.body = part
                    note.save()

    def sticky_comment(self, repo: str, number: int) -> str | None:
        with self._calls():
            ours = self._sticky(self._mr(repo, number))
        return str(ours[0].body) if ours else None

    def _sticky(self, mr: ProjectMergeRequest) -> list[ProjectMergeRequestNote]:
        bot = self._bot()
        return sorted(
            (
                note
                for note in mr.notes.list(get_all=True)
                if note.author["id"] == bot and note.body.startswith(COMMENT_MARKER)
            ),
            key=lambda note: note.id,
        )

    def comment(self, repo: str, number: int, body: str) -> None:
        with self._calls():
            self._mr(repo, number).notes.create({"body": body})

    def set_status(
        self, repo: str, sha: str, context: str, state: StatusState, description: str, url: str
    ) -> None:
        if len(description) > self.status_limit:
            description = description[: self.status_limit - 1] + "…"
        data = {"state": _STATUS[state], "name": context, "description": description}
        data |= {"target_url": url} if url else {}
        with self._calls():
            commit = self._project(repo).commits.get(sha, lazy=True)
            try:
                commit.statuses.create(data)
            except GitlabError as exc:
                # GitLab refuses pending → pending as a state transition; it is already so
                if not is_http(exc, 400, "Cannot transition status"):
                    raise

    def approvals(self, repo: str, number: int) -> tuple[Approval, ...]:
        with self._calls():
            return approvals_of(self._mr(repo, number))

    def commit_authors(self, repo: str, number: int) -> set[str]:
        """GitLab's commits carry emails, not usernames: each is looked up among users'
        public emails (an admin token also matches private ones); an email nobody shows
        cannot be tied to a user."""
        with self._calls():
            mr = self._project(repo).mergerequests.get(number, lazy=True)
            emails = set()
            for commit in mr.commits(get_all=True):
                emails |= {commit.author_email, commit.committer_email} - {None, ""}
            return {
                user.username
                for email in sorted(emails)
                for user in self._gl.users.list(search=email, get_all=True)
            }

    def can_write(self, repo: str, user: str) -> bool:
        with self._calls():
            found = self._gl.users.list(username=user, get_all=True)
            if not found:
                return False
            try:
                member = self._project(repo).members_all.get(found[0].id)
            except GitlabError as exc:
                if is_http(exc, 404):
                    return False
                raise
        return int(member.access_level) >= DEVELOPER

    def group_members(self, repo: str, group: str) -> set[str]:
        """Active members, inherited ones included, of ``@group``: a full group path, or a
        bare name for a subgroup of the repo's top-level group (as GitHub teams live in
        the repo's organisation)."""
        name = group.removeprefix("@")
        path = name if "/" in name else f"{repo.split('/')[0]}/{name}"
        with self._calls():
            try:
                found = self._gl.groups.get(path, lazy=True).members_all.list(get_all=True)
            except GitlabError as exc:
                if is_http(exc, 404) or is_http(exc, 403):
                    return set()
                raise
        return {m.username for m in found if m.attributes.get("state", "active") == "active"}

    def react(self, repo: str, number: int, comment_id: int, reaction: Reaction) -> None:
        with self._calls():
            note = self._mr(repo, number).notes.get(comment_id, lazy=True)
            try:
                note.awardemojis.create({"name": reaction.value})
            except GitlabError as exc:
                if not is_http(exc, 404, "has already been taken"):  # we reacted before
                    raise

    def default_branch(self, repo: str) -> Branch:
        with self._calls():
            name = str(self._gl.projects.get(repo).default_branch)
            return Branch(name, str(self._project(repo).commits.get(name).id))

    def report_issue(self, repo: str, title: str, body: str | None) -> None:
        with self._calls():
            issues = self._project(repo).issues
            listed = issues.list(state="opened", author_id=self._bot(), search=title, get_all=True)
            mine = [issue for issue in listed if issue.title == title]
            if body is None:
                for issue in mine:
                    issue.state_event = "close"
                    issue.save()
                return
            if not mine:
                issues.create({"title": title, "description": body})
            elif mine[0].description != body:
                mine[0].description = body
                mine[0].save()

    def merge_request_of(self, repo: str, sha: str) -> int | None:
        """The merged merge request whose merge left ``sha`` on its target (CI on the
        default branch knows only the commit)."""
        with self._calls():
            found = self._project(repo).commits.get(sha, lazy=True).merge_requests()
        merged = [mr for mr in found if mr.get("state") == "merged"]
        return int(merged[0]["iid"]) if merged else None

    def _calls(self) -> AbstractContextManager[None]:
        return translated(self._token, self._retry_after)

    def _project(self, repo: str) -> Project:
        return self._gl.projects.get(repo, lazy=True)

    def _mr(self, repo: str, number: int) -> ProjectMergeRequest:
        return self._project(repo).mergerequests.get(number, lazy=True)

    def _bot(self) -> int:
        """The id of the user the token belongs to: its notes are the ones we may edit."""
        if self._bot_id is None:
            self._bot_id = int(CurrentUserManager(self._gl).get().id)
        return self._bot_id


def _merged_sha(mr: ProjectMergeRequest) -> str:
    """The commit a merge left on the target: the merge commit, the squash commit, or with a
    fast-forward merge the head itself."""
    if mr.state != "merged":
        return ""
    return str(mr.merge_commit_sha or mr.squash_commit_sha or mr.sha)


def _merged_by(mr: ProjectMergeRequest) -> str:
    """Who merged (``merge_user`` since GitLab 14.7, ``merged_by`` before it)."""
    if mr.state != "merged":
        return ""
    who = mr.attributes.get("merge_user") or mr.attributes.get("merged_by") or {}
    return str(who.get("username", ""))
