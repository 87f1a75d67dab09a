"""A stateful fake GitLab (REST v4 on loopback) that the real python-gitlab talks to.

Tests act on it like people on a GitLab instance (open a merge request, push, approve,
comment) and get back the webhook delivery GitLab would send for each action.
"""

from __future__ import annotations

from app.background import BackgroundServer, serve_in_background
from tests.fakes import gitlab_hooks as hooks
from tests.fakes import gitlab_merge as merges
from tests.fakes.base import Delivery, FailurePlan, SeenComment, SeenIssue, SeenStatus
from tests.fakes.gitlab_api import GitLabApi
from tests.fakes.gitlab_routes import ROUTES
from tests.fakes.gitlab_state import MergeRequest, Note, User, Version, World
from tests.leaks import SCANNER

DEVELOPER, REPORTER = 30, 20
APPROVED, UNAPPROVED = "approved this merge request", "unapproved this merge request"


class GitLabFake:
    name = "gitlab"

    def __init__(self, bot: str = "stackgate-bot", token: str = "glpat-fake-bot-token") -> None:
        self.world = World()
        self.bot, self.token = bot, token
        SCANNER.secret("GitLab token", token)
        self.api = GitLabApi(self.world, {token: self.world.user(bot)}, ROUTES)
        self.api_url = ""  # known once started
        self._server: BackgroundServer | None = None

    def start(self) -> GitLabFake:
        self._server = serve_in_background(self.api.app, "fake-gitlab")
        self.api_url = self._server.base_url
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()

    def create_repo(
        self,
        repo: str,
        files: dict[str, bytes],
        branch: str = "main",
        *,
        links: dict[str, str] | None = None,  # symlink path → target
    ) -> str:
        with self.world.lock:
            project = self.world.add_project(repo, branch)
            changes: dict[str, bytes | None] = {**files}
            changes.update({path: target.encode() for path, target in (links or {}).items()})
            made = self.world.commit(None, changes, "Initial commit", frozenset(links or ()))
            project.branches[branch] = made.sha
            return made.sha

    def open_pr(
        self,
        repo: str,
        author: str,
        changes: dict[str, bytes | None],
        *,
        draft: bool = False,
        fork: bool = False,
        title: str = "Change infrastructure",
    ) -> tuple[int, Delivery]:
        with self.world.lock:
            target = self.world.project_named(repo)
            user = self.world.user(author)
            source = target
            if fork:
                name = f"{author}/{repo.rpartition('/')[2]}"
                source = self.world.project(name) or self.world.add_project(
                    name, target.default_branch, forked_from=target
                )
            iid = 1 + sum(1 for (pid, _) in self.world.mrs if pid == target.id)
            base = target.branches[target.default_branch]
            branch = f"{author}/change-{iid}"
            mr = MergeRequest(
                self.world.next_id(),
                iid,
                target,
                source,
                branch,
                target.default_branch,
                user,
                title,
                draft,
                self.world.now(),
            )
            self.world.mrs[(target.id, iid)] = mr
            self._commit(mr, base, changes, user.username)
            return iid, hooks.merge_request_hook(self.world, mr, user, "open")

    def push(
        self, repo: str, number: int, changes: dict[str, bytes | None], by: str | None = None
    ) -> Delivery:
        with self.world.lock:
            mr = self._mr(repo, number)
            old = mr.head
            pusher = self.world.user(by) if by else mr.author  # who pushes is a user
            self._commit(mr, old, changes, pusher.username)
            return hooks.merge_request_hook(self.world, mr, mr.author, "update", oldrev=old)

    def approve(self, repo: str, number: int, user: str) -> Delivery:
        """One user's approval; re-approving is GitLab's unapprove-then-approve."""
        with self.world.lock:
            mr, who = self._mr(repo, number), self.world.user(user)
            if who in mr.approvers:
                mr.approvers.remove(who)
                self._system_note(mr, who, UNAPPROVED)
            mr.approvers.append(who)
            self._system_note(mr, who, APPROVED)
            return hooks.merge_request_hook(self.world, mr, who, "approval")

    def comment(self, repo: str, number: int, user: str, body: str) -> tuple[int, Delivery]:
        with self.world.lock:
            mr = self._mr(repo, number)
            note = Note(self.world.next_id(), self.world.user(user), body, self.world.now())
            mr.notes.append(note)
            return note.id, hooks.note_hook(self.world, mr, note)

    def close(self, repo: str, number: int, *, merged: bool, by: str | None = None) -> Delivery:
        with self.world.lock:
            mr = self._mr(repo, number)
            who = self.world.user(by) if by else mr.author
            if merged:
                target = mr.project.branches[mr.target_branch]  # a new commit, not the merge ref
                made = merges.merge(self.world, target, mr.head, merges.message(mr))
                if made is None:  # GitLab's merge button is disabled on a conflict
                    raise ValueError(f"{repo}!{number} conflicts with {mr.target_branch}")
                mr.merged_by = who
                mr.project.branches[mr.target_branch] = mr.merge_commit = made.sha
            mr.state = "merged" if merged else "closed"
            return hooks.merge_request_hook(self.world, mr, who, "merge" if merged else "close")

    def train(self, repo: str, numbers: list[int]) -> str:
        """A merge train's merged result for its last car: the target with each merge
        request merged in, in the train's order (what that car's pipeline runs on)."""
        with self.world.lock:
            first = self._mr(repo, numbers[0])
            sha = first.project.branches[first.target_branch]
            for number in numbers:
                mr = self._mr(repo, number)
                made = merges.merge(self.world, sha, mr.head, merges.message(mr))
                if made is None:  # GitLab drops a car that conflicts from the train
                    raise ValueError(f"{repo}!{number} conflicts with the train")
                sha = made.sha
            return sha

    def mark_ready(self, repo: str, number: int) -> Delivery:
        with self.world.lock:
            mr = self._mr(repo, number)
            mr.draft = False
            flip = {"previous": True, "current": False}
            changes = {"draft": flip, "work_in_progress": flip}
            return hooks.merge_request_hook(self.world, mr, mr.author, "update", changes=changes)

    def label(self, repo: str, number: int, user: str, name: str, *, on: bool = True) -> Delivery:
        """An update whose changes carry the labels before and after, as a label edit sends."""
        with self.world.lock:
            mr = self._mr(repo, number)
            previous = list(mr.labels)
            kept = [n for n in mr.labels if n != name]
            mr.labels = [*kept, name] if on else kept
            changes = hooks.label_changes(mr, previous)
            return hooks.merge_request_hook(
                self.world, mr, self.world.user(user), "update", changes=changes
            )

    def grant(self, repo: str, user: str, write: bool) -> None:
        with self.world.lock:
            level = DEVELOPER if write else REPORTER
            self.world.project_named(repo).members[self.world.user(user).id] = level

    def add_group(self, repo: str, group: str, members: list[str]) -> None:
        """A group ``group`` under the repo's top-level group (or at ``group`` if it is a path)."""
        path = group if "/" in group else f"{repo.split('/')[0]}/{group}"
        with self.world.lock:
            self.world.groups[path] = {self.world.user(u).id: DEVELOPER for u in members}

    def fail_next(self, plan: FailurePlan) -> None:
        with self.world.lock:
            self.api.failures.append(plan)

    def tip(self, repo: str) -> str:
        with self.world.lock:
            found = self.world.project_named(repo)
            return found.branches[found.default_branch]

    def head_sha(self, repo: str, number: int) -> str:
        with self.world.lock:
            return self._mr(repo, number).head

    def comments(self, repo: str, number: int) -> list[SeenComment]:
        with self.world.lock:
            notes = self._mr(repo, number).notes
            return [SeenComment(n.id, n.author.username, n.body) for n in notes if not n.system]

    def statuses(self, repo: str, sha: str) -> dict[str, SeenStatus]:
        with self.world.lock:
            posted = self.world.project_named(repo).statuses.get(sha, [])
            return {s["name"]: SeenStatus(s["name"], s["status"], s["description"]) for s in posted}

    def reactions(self, repo: str, comment_id: int) -> list[str]:
        with self.world.lock:
            project = self.world.project_named(repo)
            mrs = [mr for (pid, _), mr in self.world.mrs.items() if pid == project.id]
            notes = [n for mr in mrs for n in mr.notes if n.id == comment_id]
            return [award.name for note in notes for award in note.awards]

    def issues(self, repo: str) -> list[SeenIssue]:
        with self.world.lock:
            listed = self.world.project_named(repo).issues
            return [
                SeenIssue(i.iid, i.author.username, i.title, i.description, i.state == "opened")
                for i in sorted(listed, key=lambda i: i.iid)
            ]

    def unsupported_delivery(self) -> Delivery:
        return hooks.push_hook()

    def _mr(self, repo: str, number: int) -> MergeRequest:
        found = self.world.mr(self.world.project_named(repo), number)
        if found is None:
            raise KeyError(f"{repo}!{number}")
        return found

    def _commit(
        self, mr: MergeRequest, parent: str, changes: dict[str, bytes | None], author: str
    ) -> None:
        """A push to the source branch: a new commit and, as in GitLab, a new diff version."""
        message = f"Update {', '.join(sorted(changes))}"
        made = self.world.commit(parent, changes, message, author=author)
        mr.source.branches[mr.source_branch] = made.sha
        base = mr.versions[-1].base if mr.versions else parent
        mr.versions.append(Version(self.world.next_id(), made.sha, base, self.world.now()))

    def _system_note(self, mr: MergeRequest, who: User, body: str) -> None:
        mr.notes.append(Note(self.world.next_id(), who, body, self.world.now(), system=True))
