"""A stateful fake GitHub that the real PyGithub talks to, driven like a person would drive it."""

from __future__ import annotations

import secrets

from app.background import BackgroundServer, serve_in_background
from tests.fakes import github_hooks as hooks
from tests.fakes import github_queue as queue
from tests.fakes.base import Delivery, FailurePlan, SeenComment, SeenIssue, SeenStatus
from tests.fakes.github_api import FakeApi
from tests.fakes.github_app import ACTIONS_BOT, APP_PERMISSIONS, App, AppGate, mint
from tests.fakes.github_routes import install
from tests.fakes.github_state import Comment, Pull, Repo, Review, next_id
from tests.leaks import SCANNER


class GitHubFake:
    """Implements tests.fakes.base.ForgeFake; start() it, stop() it when done."""

    name = "github"

    def __init__(self, bot: str = "stackgate-bot") -> None:
        self.bot = bot
        self.token = f"ghp_{secrets.token_urlsafe(27)}"
        SCANNER.secret("GitHub token", self.token)
        self.api = FakeApi()
        self.api.tokens[self.token] = bot
        install(self.api)
        queue.install(self.api)
        self.apps = AppGate(self.api)  # the App side: tests shorten its token lifetime
        self.api_url = ""
        self._server: BackgroundServer | None = None

    def start(self) -> GitHubFake:
        self._server = serve_in_background(self.api.asgi(), "fake-github")
        self.api_url = self._server.base_url
        self.api.shapes.base = self.api_url
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()

    def enable_app(self, app_id: int, public_key_pem: str, slug: str = "stackgate") -> None:
        """Accept JWTs signed by this key as App ``app_id``, installed on every owner."""
        with self.api.lock:
            self.apps.app = App(app_id, slug, public_key_pem)

    def actions_token(self) -> str:
        """The GITHUB_TOKEN of an Actions job whose workflow asks for the example's rights."""
        with self.api.lock:
            rights = {"contents": "read", "issues": "write", "pull_requests": "write"}
            return mint(self.api, "ghs", ACTIONS_BOT, {**rights, "statuses": "write"})

    def app_token(self, slug: str = "stackgate", permissions: dict[str, str] | None = None) -> str:
        """An installation token of App ``slug``, as a job gets one from the App's key."""
        with self.api.lock:
            return mint(self.api, "ghs", f"{slug}[bot]", permissions or APP_PERMISSIONS)

    # -- driving it like a person ---------------------------------------------------------------

    def create_repo(self, repo: str, files: dict[str, bytes], branch: str = "main") -> str:
        with self.api.lock:
            made = Repo(repo, next_id(), branch)
            first = made.apply(made.commit({}, frozenset(), ""), dict(files))
            made.branches[branch] = first.sha
            made.roles = {repo.split("/")[0]: "admin", self.bot: "write"}
            self.api.repos[repo] = made
            return first.sha

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
        with self.api.lock:
            found = self.api.repos[repo]
            base = found.branches[found.default_branch]
            head = found.apply(found.commits[base], changes, author).sha
            number = found.next_number()
            pull = Pull(number, author, title, draft, fork, found.default_branch, base, head)
            found.pulls[number] = pull
            pull.merge_sha = found.test_merge(pull)
            return number, hooks.pull_request(self.api.shapes, found, pull, "opened", author)

    def push(
        self, repo: str, number: int, changes: dict[str, bytes | None], by: str | None = None
    ) -> Delivery:
        """A commit written and pushed by ``by`` (the PR's author unless said)."""
        with self.api.lock:
            found, pull = self._pull(repo, number)
            before = pull.head_sha
            pull.head_sha = found.apply(found.commits[before], changes, by or pull.author).sha
            pull.merge_sha = found.test_merge(pull)
            return hooks.pull_request(
                self.api.shapes,
                found,
                pull,
                "synchronize",
                pull.author,
                before=before,
                after=pull.head_sha,
            )

    def approve(self, repo: str, number: int, user: str) -> Delivery:
        return self.review(repo, number, user, "APPROVED")

    def review(self, repo: str, number: int, user: str, state: str) -> Delivery:
        """A review in REST words (APPROVED, CHANGES_REQUESTED, COMMENTED) on the head."""
        with self.api.lock:
            found, pull = self._pull(repo, number)
            made = Review(next_id(), user, state, pull.head_sha)
            pull.reviews.append(made)
            return hooks.review(self.api.shapes, found, pull, made)

    def comment(self, repo: str, number: int, user: str, body: str) -> tuple[int, Delivery]:
        with self.api.lock:
            found, pull = self._pull(repo, number)
            made = Comment(next_id(), number, user, body)
            found.comments[made.id] = made
            return made.id, hooks.comment(self.api.shapes, found, pull, made)

    def close(self, repo: str, number: int, *, merged: bool, by: str | None = None) -> Delivery:
        with self.api.lock:
            found, pull = self._pull(repo, number)
            who = by or found.full_name.split("/")[0]
            if merged:
                pull.merge_sha = found.test_merge(pull)
                if not pull.merge_sha:  # GitHub refuses the merge (405 "Merge conflict")
                    raise ValueError(
                        f"#{number} conflicts with {pull.base_ref}; GitHub would not merge it"
                    )
                pull.landed_on = found.branches[pull.base_ref]
                found.branches[pull.base_ref] = pull.merge_sha
                pull.merged, pull.merged_by = True, who
            pull.state = "closed"
            return hooks.pull_request(self.api.shapes, found, pull, "closed", who)

    def enqueue(
        self, repo: str, numbers: list[int], by: str = "maintainer"
    ) -> tuple[queue.Group, Delivery]:
        """The merge queue groups ``numbers`` (in that order) and asks for checks on the group."""
        with self.api.lock:
            found = self.api.repos[repo]
            group = queue.form(found, numbers)
            return group, queue.checks(self.api.shapes, found, group, by)

    def retarget(self, repo: str, number: int, branch: str) -> None:
        """The PR's base becomes ``branch``, made at the base's tip if it is new."""
        with self.api.lock:
            found, pull = self._pull(repo, number)
            found.branches.setdefault(branch, found.branches[pull.base_ref])
            pull.base_ref = branch

    def dequeue(self, repo: str, group: queue.Group, reason: str = "dequeued") -> Delivery:
        with self.api.lock:
            found = self.api.repos[repo]
            return queue.destroyed(self.api.shapes, found, group, reason, queue.QUEUE_BOT)

    def land_group(self, repo: str, group: queue.Group) -> list[Delivery]:
        """The queue merges the group: the push to the base, the closes, the group's end."""
        with self.api.lock:
            return queue.land(self.api.shapes, self.api.repos[repo], group)

    def mark_ready(self, repo: str, number: int) -> Delivery:
        with self.api.lock:
            found, pull = self._pull(repo, number)
            pull.draft = False
            return hooks.pull_request(self.api.shapes, found, pull, "ready_for_review", pull.author)

    def label(self, repo: str, number: int, user: str, name: str, *, on: bool = True) -> Delivery:
        with self.api.lock:
            found, pull = self._pull(repo, number)
            kept = [n for n in pull.labels if n != name]
            pull.labels = [*kept, name] if on else kept
            return hooks.label(self.api.shapes, found, pull, name, user, on)

    def grant(self, repo: str, user: str, write: bool) -> None:
        self.set_role(repo, user, "write" if write else "read")

    def set_role(self, repo: str, user: str, role: str) -> None:
        """Any GitHub role name: admin, maintain, write, triage, read or a custom one."""
        with self.api.lock:
            self.api.repos[repo].roles[user] = role

    def add_team(self, org: str, slug: str, members: list[str]) -> None:
        with self.api.lock:
            self.api.teams[f"{org}/{slug}"] = list(members)

    def add_group(self, repo: str, group: str, members: list[str]) -> None:
        self.add_team(repo.split("/")[0], group, members)

    def fail_next(self, plan: FailurePlan) -> None:
        with self.api.lock:
            self.api.failures.append(plan)

    # -- what a test checks ---------------------------------------------------------------------

    def tip(self, repo: str) -> str:
        with self.api.lock:
            found = self.api.repos[repo]
            return found.branches[found.default_branch]

    def head_sha(self, repo: str, number: int) -> str:
        with self.api.lock:
            return self._pull(repo, number)[1].head_sha

    def comments(self, repo: str, number: int) -> list[SeenComment]:
        with self.api.lock:
            listed = self.api.repos[repo].comments.values()
            return [SeenComment(c.id, c.author, c.body) for c in listed if c.number == number]

    def statuses(self, repo: str, sha: str) -> dict[str, SeenStatus]:
        with self.api.lock:
            listed = self.api.repos[repo].statuses.get(sha, [])
            return {s.context: SeenStatus(s.context, s.state, s.description) for s in listed}

    def issues(self, repo: str) -> list[SeenIssue]:
        with self.api.lock:
            listed = sorted(self.api.repos[repo].issues.values(), key=lambda i: i.number)
            return [
                SeenIssue(i.number, i.author, i.title, i.body, i.state == "open") for i in listed
            ]

    def reactions(self, repo: str, comment_id: int) -> list[str]:
        with self.api.lock:
            return [content for _, content in self.api.repos[repo].comments[comment_id].reactions]

    def unsupported_delivery(self) -> Delivery:
        return hooks.push(self.api.shapes)

    def _pull(self, repo: str, number: int) -> tuple[Repo, Pull]:
        found = self.api.repos[repo]
        return found, found.pulls[number]
