"""GitHub's JSON shapes for the fake, cut from recorded payloads so field names stay real."""

from __future__ import annotations

import base64
import json
from functools import cache
from pathlib import Path
from typing import Any

from tests.fakes.github_git import GitShapes
from tests.fakes.github_state import Comment, Commit, Issue, Pull, Repo, Review, Status

PAYLOADS = Path(__file__).resolve().parent.parent / "payloads" / "github"
RECORDED_REPO = "Codertocat/Hello-World"
RECORDED_API = "https://api.github.com"
DOCS = "https://docs.github.com/rest"
STAMP = "2026-01-01T00:00:00Z"  # the fake keeps no clock for commits


@cache
def _recorded(name: str) -> str:
    return (PAYLOADS / f"{name}.json").read_text()


class Shapes(GitShapes):
    """JSON bodies as GitHub writes them, with every URL pointing back at the fake."""

    def payload(self, name: str, repo: str) -> dict[str, Any]:
        """A recorded delivery moved to ``repo`` on this fake (PyGithub checks URL hosts)."""
        text = _recorded(name).replace(RECORDED_API, self.base).replace(RECORDED_REPO, repo)
        loaded: dict[str, Any] = json.loads(text)
        return loaded

    def user(self, login: str) -> dict[str, Any]:
        """GitHub's simple-user, every field it documents as required."""
        url = f"{self.base}/users/{login}"
        number = sum(login.encode()) + 1000
        return {
            "login": login,
            "id": number,
            "node_id": base64.b64encode(f"04:User{login}".encode()).decode(),
            "avatar_url": f"https://avatars.githubusercontent.com/u/{number}?v=4",
            "gravatar_id": "",
            "url": url,
            "html_url": f"https://github.com/{login}",
            "followers_url": f"{url}/followers",
            "following_url": f"{url}/following{{/other_user}}",
            "gists_url": f"{url}/gists{{/gist_id}}",
            "starred_url": f"{url}/starred{{/owner}}{{/repo}}",
            "subscriptions_url": f"{url}/subscriptions",
            "organizations_url": f"{url}/orgs",
            "repos_url": f"{url}/repos",
            "events_url": f"{url}/events{{/privacy}}",
            "received_events_url": f"{url}/received_events",
            "type": "Bot" if login.endswith("[bot]") else "User",
            "user_view_type": "public",
            "site_admin": False,
        }

    def repo(self, repo: Repo, full_name: str = "") -> dict[str, Any]:
        full_name = full_name or repo.full_name
        shaped: dict[str, Any] = self.payload("pull_request.opened", full_name)["repository"]
        owner, _, name = full_name.partition("/")
        shaped.update(
            id=repo.id if full_name == repo.full_name else repo.id + 1,
            name=name,
            full_name=full_name,
            owner=self.user(owner),
            default_branch=repo.default_branch,
            private=True,
            fork=full_name != repo.full_name,
            has_discussions=False,
            visibility="private",
            topics=[],
            network_count=0,
            subscribers_count=0,
        )
        return shaped

    def pull(self, repo: Repo, pull: Pull) -> dict[str, Any]:
        shaped: dict[str, Any] = self.payload("pull_request.opened", repo.full_name)["pull_request"]
        api = f"{self.base}/repos/{repo.full_name}"
        html = f"https://github.com/{repo.full_name}/pull/{pull.number}"
        head_repo = f"{pull.author}/{repo.full_name.split('/')[1]}" if pull.fork else ""
        shaped.update(
            url=f"{api}/pulls/{pull.number}",
            id=pull.number + repo.id,
            html_url=html,
            diff_url=f"{html}.diff",
            patch_url=f"{html}.patch",
            issue_url=f"{api}/issues/{pull.number}",
            commits_url=f"{api}/pulls/{pull.number}/commits",
            review_comments_url=f"{api}/pulls/{pull.number}/comments",
            comments_url=f"{api}/issues/{pull.number}/comments",
            statuses_url=f"{api}/statuses/{pull.head_sha}",
            number=pull.number,
            state=pull.state,
            title=pull.title,
            user=self.user(pull.author),
            labels=[self.label(repo, name) for name in pull.labels],
            auto_merge=None,
            active_lock_reason=None,
            draft=pull.draft,
            merged=pull.merged,
            merged_at="2026-12-06T12:00:00Z" if pull.merged else None,  # the list form's only sign
            merged_by=self.user(pull.merged_by) if pull.merged_by else None,
            # an open PR whose test merge conflicts has none: mergeable false, state dirty
            mergeable=bool(pull.merge_sha) if pull.state == "open" else None,
            mergeable_state=("clean" if pull.merge_sha else "dirty")
            if pull.state == "open"
            else "unknown",
            merge_commit_sha=pull.merge_sha or None,
            head=self._end(repo, f"pr-{pull.number}", pull.head_sha, pull.author, head_repo),
            # a merged PR's base stays where it merged, not at the merge it made
            base=self._end(
                repo, pull.base_ref, pull.landed_on or repo.branches[pull.base_ref], "", ""
            ),
        )
        shaped["_links"] = {
            "self": {"href": shaped["url"]},
            "html": {"href": html},
            "issue": {"href": shaped["issue_url"]},
            "comments": {"href": shaped["comments_url"]},
            "review_comments": {"href": shaped["review_comments_url"]},
            "review_comment": {"href": shaped["review_comment_url"]},
            "commits": {"href": shaped["commits_url"]},
            "statuses": {"href": shaped["statuses_url"]},
        }
        return shaped

    def label(self, repo: Repo, name: str) -> dict[str, Any]:
        number = sum(name.encode()) + repo.id
        return {
            "id": number,
            "node_id": base64.b64encode(f"LA_{number}".encode()).decode(),
            "url": f"{self.base}/repos/{repo.full_name}/labels/{name}",
            "name": name,
            "description": None,
            "color": "ededed",
            "default": False,
        }

    def _end(self, repo: Repo, ref: str, sha: str, user: str, full_name: str) -> dict[str, Any]:
        owner = user or repo.full_name.split("/")[0]
        return {
            "label": f"{owner}:{ref}",
            "ref": ref,
            "sha": sha,
            "user": self.user(owner),
            "repo": self.repo(repo, full_name),
        }

    def issue(self, repo: Repo, issue: Issue | None, pull: Pull | None = None) -> dict[str, Any]:
        """An issue as the REST API answers it (a PR listed among issues has pull_request)."""
        api = f"{self.base}/repos/{repo.full_name}"
        shaped: dict[str, Any] = self.payload("issue_comment.created", repo.full_name)["issue"]
        number = issue.number if issue else pull.number if pull else 0
        shaped.update(
            url=f"{api}/issues/{number}",
            comments_url=f"{api}/issues/{number}/comments",
            events_url=f"{api}/issues/{number}/events",
            labels_url=f"{api}/issues/{number}/labels{{/name}}",
            html_url=f"https://github.com/{repo.full_name}/issues/{number}",
            id=number + repo.id * 1000,
            number=number,
            labels=[self.label(repo, name) for name in pull.labels] if pull else [],
            active_lock_reason=None,
            reactions=self.reactions(f"{api}/issues/{number}", []),
        )
        if issue is not None:
            shaped.update(
                title=issue.title,
                body=issue.body,
                state=issue.state,
                user=self.user(issue.author),
            )
            shaped.pop("pull_request", None)
        elif pull is not None:
            shaped.update(title=pull.title, body="", state=pull.state, user=self.user(pull.author))
            shaped["pull_request"] = {"url": f"{api}/pulls/{number}"}
        return shaped

    def comment(self, repo: Repo, comment: Comment) -> dict[str, Any]:
        api = f"{self.base}/repos/{repo.full_name}"
        shaped: dict[str, Any] = self.payload("issue_comment.created", repo.full_name)["comment"]
        shaped.update(
            url=f"{api}/issues/comments/{comment.id}",
            html_url=f"https://github.com/{repo.full_name}/pull/{comment.number}"
            f"#issuecomment-{comment.id}",
            issue_url=f"{api}/issues/{comment.number}",
            id=comment.id,
            user=self.user(comment.author),
            body=comment.body,
            performed_via_github_app=None,
            reactions=self.reactions(shaped["url"], comment.reactions),
        )
        return shaped

    def reactions(self, url: str, given: list[tuple[str, str]]) -> dict[str, Any]:
        """The reaction rollup GitHub puts on an issue or comment."""
        kinds = ("+1", "-1", "laugh", "confused", "heart", "hooray", "rocket", "eyes")
        counts = dict.fromkeys(kinds, 0)
        for _, content in given:
            counts[content] += 1
        return {"url": f"{url}/reactions", "total_count": len(given), **counts}

    def me(self, login: str) -> dict[str, Any]:
        """``GET /user``: the token's own user, with the private fields GitHub shows only it."""
        profile = dict.fromkeys(("name", "company", "blog", "location", "email", "bio"))
        counts = dict.fromkeys(("public_repos", "public_gists", "followers", "following"), 0)
        private = ("private_gists", "total_private_repos", "owned_private_repos", "disk_usage")
        return {
            **self.user(login),
            **profile,
            **counts,
            **dict.fromkeys(private, 0),
            "blog": "",
            "hireable": None,
            "collaborators": 0,
            "two_factor_authentication": True,
            "created_at": STAMP,
            "updated_at": STAMP,
            "user_view_type": "private",
        }

    def pr_commit(self, repo: Repo, made: Commit) -> dict[str, Any]:
        """One item of ``GET /pulls/{n}/commits`` (the REST ``commit`` schema)."""
        api, html = f"{self.base}/repos/{repo.full_name}", f"https://github.com/{repo.full_name}"
        login = made.author or repo.full_name.split("/")[0]
        person = {"name": login.title(), "email": f"{login}@example.com", "date": STAMP}
        return {
            "sha": made.sha,
            "node_id": base64.b64encode(f"04:Commit{made.sha}".encode()).decode(),
            "commit": {
                "url": f"{api}/git/commits/{made.sha}",
                "author": person,
                "committer": person,
                "message": "Change infrastructure",
                "tree": {"url": f"{api}/git/trees/{made.sha}", "sha": made.sha},
                "comment_count": 0,
                "verification": {
                    "verified": False,
                    "reason": "unsigned",
                    "signature": None,
                    "payload": None,
                    "verified_at": None,
                },
            },
            "url": f"{api}/commits/{made.sha}",
            "html_url": f"{html}/commit/{made.sha}",
            "comments_url": f"{api}/commits/{made.sha}/comments",
            "author": self.user(login),
            "committer": self.user(login),
            "parents": [
                {"url": f"{api}/commits/{sha}", "html_url": f"{html}/commit/{sha}", "sha": sha}
                for sha in (made.parent, made.merged)
                if sha
            ],
        }

    def review(self, repo: Repo, pull: Pull, review: Review) -> dict[str, Any]:
        shaped: dict[str, Any] = self.payload("pull_request_review.submitted", repo.full_name)[
            "review"
        ]
        shaped.update(
            id=review.id,
            user=self.user(review.user),
            state=review.state,
            body=shaped["body"] or "",  # the REST API writes an empty review body as ""
            commit_id=review.commit_id,
            pull_request_url=f"{self.base}/repos/{repo.full_name}/pulls/{pull.number}",
        )
        return shaped

    def status(self, repo: Repo, sha: str, status: Status, creator: str) -> dict[str, Any]:
        return {
            "url": f"{self.base}/repos/{repo.full_name}/statuses/{sha}",
            "avatar_url": None,
            "id": status.id,
            "node_id": base64.b64encode(f"SC_{status.id}".encode()).decode(),
            "created_at": STAMP,
            "updated_at": STAMP,
            "state": status.state,
            "description": status.description,
            "target_url": status.target_url or None,
            "context": status.context,
            "creator": self.user(creator),
        }

    def error(self, status: int, message: str, **extra: Any) -> dict[str, Any]:
        return {"message": message, **extra, "documentation_url": DOCS, "status": str(status)}
