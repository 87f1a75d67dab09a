"""The REST endpoints the fake GitHub answers: the ones PyGithub calls for GitHubForge."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from tests.fakes.github_api import Call, FakeApi, Page, Refused
from tests.fakes.github_state import Comment, Issue, Status, diff_entries, next_id

STATUS_STATES = frozenset({"error", "failure", "pending", "success"})
REACTIONS = frozenset({"+1", "-1", "laugh", "confused", "heart", "hooray", "rocket", "eyes"})
DESCRIPTION_LIMIT = 140
COMMENT_LIMIT = 65_536  # the longest comment body GitHub documents, and names when it refuses
_BASE_ROLE = {"admin": "admin", "maintain": "write", "write": "write", "triage": "read"}


def install(api: FakeApi) -> None:
    shapes = api.shapes
    repo_path = "/repos/{owner}/{name}"

    def pull_of(call: Call) -> Any:
        found = call.repo(api).pulls.get(call.number())
        if found is None:
            raise Refused(404, "Not Found")
        return found

    def comment_of(call: Call) -> Comment:
        found = call.repo(api).comments.get(call.number("comment_id"))
        if found is None:
            raise Refused(404, "Not Found")
        return found

    def user(call: Call) -> tuple[int, Any]:
        return 200, shapes.me(call.login)

    def repo(call: Call) -> tuple[int, Any]:
        return 200, shapes.repo(call.repo(api))

    def pull(call: Call) -> tuple[int, Any]:
        found, pr = call.repo(api), pull_of(call)
        if pr.state == "open":  # GitHub redoes its test merge when the base branch moves
            pr.merge_sha = found.test_merge(pr)
        return 200, shapes.pull(found, pr)

    def files(call: Call) -> tuple[int, Any]:
        found, pr = call.repo(api), pull_of(call)
        head = found.commits[pr.head_sha]
        entries = diff_entries(found.commits[pr.start_sha], head)
        return 200, Page(
            [
                shapes.file_entry(found, path, status, old, pr.head_sha)
                for path, status, old in entries
            ]
        )

    def commits(call: Call) -> tuple[int, Any]:
        """The PR's commits, oldest first, as GitHub lists them."""
        found, pr = call.repo(api), pull_of(call)
        listed, sha = [], pr.head_sha
        while sha and sha != pr.start_sha:
            listed.append(found.commits[sha])
            sha = found.commits[sha].parent
        return 200, Page([shapes.pr_commit(found, made) for made in reversed(listed)])

    def commit_pulls(call: Call) -> tuple[int, Any]:
        found, sha = call.repo(api), call.params["sha"]
        listed = [
            pr
            for pr in found.pulls.values()
            if sha == pr.head_sha or (pr.merged and sha == pr.merge_sha)
        ]
        return 200, Page([shapes.pull(found, pr) for pr in listed])

    def reviews(call: Call) -> tuple[int, Any]:
        found, pr = call.repo(api), pull_of(call)
        return 200, Page([shapes.review(found, pr, review) for review in pr.reviews])

    def comments(call: Call) -> tuple[int, Any]:
        found, number = call.repo(api), call.number()
        listed = [c for c in found.comments.values() if c.number == number]
        return 200, Page([shapes.comment(found, c) for c in listed])

    def comment_body(call: Call) -> str:
        body = str(call.body["body"])
        if len(body) > COMMENT_LIMIT:
            too_long = f"Body is too long (maximum is {COMMENT_LIMIT} characters)"
            error = {"resource": "IssueComment", "code": "unprocessable", "field": "data"}
            raise Refused(422, "Validation Failed", errors=[{**error, "message": too_long}])
        return body

    def create_comment(call: Call) -> tuple[int, Any]:
        found, number = call.repo(api), call.number()
        if number not in found.pulls:
            raise Refused(404, "Not Found")
        made = Comment(next_id(), number, call.login, comment_body(call))
        found.comments[made.id] = made
        return 201, shapes.comment(found, made)

    def get_comment(call: Call) -> tuple[int, Any]:
        return 200, shapes.comment(call.repo(api), comment_of(call))

    def edit_comment(call: Call) -> tuple[int, Any]:
        found = comment_of(call)
        if (
            found.author != call.login
        ):  # the fake's bot is no admin: others' comments are off limits
            raise Refused(403, "Must have admin rights to Repository.")
        found.body = comment_body(call)
        return 200, shapes.comment(call.repo(api), found)

    def delete_comment(call: Call) -> tuple[int, Any]:
        found = comment_of(call)
        if found.author != call.login:
            raise Refused(403, "Must have admin rights to Repository.")
        del call.repo(api).comments[found.id]
        return 204, None

    def react(call: Call) -> tuple[int, Any]:
        found, content = comment_of(call), str(call.body.get("content"))
        if content not in REACTIONS:
            raise Refused(
                422, "Validation Failed", errors=[{"field": "content", "code": "invalid"}]
            )
        found.reactions.append((call.login, content))
        stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        body = {"id": next_id(), "user": shapes.user(call.login), "content": content}
        return 201, {**body, "node_id": f"REA_{body['id']}", "created_at": stamp}

    def create_status(call: Call) -> tuple[int, Any]:
        found, sha, body = call.repo(api), call.params["sha"], call.body
        if sha not in found.commits:
            raise Refused(422, f"No commit found for SHA: {sha}")
        description = str(body.get("description") or "")
        if body.get("state") not in STATUS_STATES:
            raise Refused(422, "Validation Failed", errors=[_invalid("state", "is not valid")])
        if len(description) > DESCRIPTION_LIMIT:
            too_long = f"is too long (maximum is {DESCRIPTION_LIMIT} characters)"
            raise Refused(422, "Validation Failed", errors=[_invalid("description", too_long)])
        made = Status(
            next_id(),
            str(body.get("context") or "default"),
            str(body["state"]),
            description,
            str(body.get("target_url") or ""),
        )
        found.statuses.setdefault(sha, []).append(made)
        return 201, shapes.status(found, sha, made, call.login)

    def tree(call: Call) -> tuple[int, Any]:
        found = call.repo(api)
        commit = found.resolve(call.params["ref"])
        if commit is None:
            raise Refused(404, "Not Found")
        recursive = call.request.query_params.get("recursive") not in (None, "", "0", "false")
        return 200, shapes.tree(found, commit, recursive, api.tree_limit)

    def blob(call: Call) -> tuple[int, Any]:
        found = call.repo(api)
        data = found.blobs.get(call.params["sha"])
        if data is None:
            raise Refused(404, "Not Found")
        return 200, shapes.blob(found, data)

    def contents(call: Call) -> tuple[int, Any]:
        found, path = call.repo(api), call.params["path"].strip("/")
        commit = found.resolve(call.request.query_params.get("ref", found.default_branch))
        if commit is None:
            raise Refused(404, f"No commit found for the ref {call.request.query_params['ref']}")
        if path in commit.files:
            return 200, shapes.content(found, path, commit.files[path], path in commit.links)
        inside = sorted(p for p in commit.files if p.startswith(f"{path}/"))
        if not inside:
            raise Refused(404, "Not Found")
        return 200, [shapes.content(found, p, commit.files[p], p in commit.links) for p in inside]

    def permission(call: Call) -> tuple[int, Any]:
        role = call.repo(api).roles.get(call.params["user"])
        if role is None:
            raise Refused(404, "Not Found")
        base = _BASE_ROLE.get(role, "read")
        return 200, {
            "permission": base,
            "role_name": role,
            "user": {**shapes.user(call.params["user"]), "role_name": role},
        }

    def team_members(call: Call) -> tuple[int, Any]:
        members = api.teams.get(f"{call.params['org']}/{call.params['slug']}")
        if members is None:
            raise Refused(404, "Not Found")
        return 200, Page([shapes.user(login) for login in members])

    def issue_of(call: Call) -> Issue:
        found = call.repo(api).issues.get(call.number())
        if found is None:
            raise Refused(404, "Not Found")
        return found

    def list_issues(call: Call) -> tuple[int, Any]:
        found, query = call.repo(api), call.request.query_params
        state, creator = query.get("state", "open"), query.get("creator")
        shaped = [
            (number, shapes.issue(found, issue))
            for number, issue in found.issues.items()
            if state in ("all", issue.state) and creator in (None, issue.author)
        ]
        shaped += [  # GitHub lists pull requests among issues
            (number, shapes.issue(found, None, pull))
            for number, pull in found.pulls.items()
            if state in ("all", pull.state) and creator in (None, pull.author)
        ]
        return 200, Page([issue for _, issue in sorted(shaped, key=lambda pair: -pair[0])])

    def create_issue(call: Call) -> tuple[int, Any]:
        found = call.repo(api)
        title = str(call.body.get("title") or "")
        if not title:
            raise Refused(422, "Validation Failed", errors=[_invalid("title", "is missing")])
        made = Issue(found.next_number(), call.login, title, str(call.body.get("body") or ""))
        found.issues[made.number] = made
        return 201, shapes.issue(found, made)

    def get_issue(call: Call) -> tuple[int, Any]:
        return 200, shapes.issue(call.repo(api), issue_of(call))

    def edit_issue(call: Call) -> tuple[int, Any]:
        issue = issue_of(call)
        for key in ("title", "body", "state"):
            if key in call.body:
                setattr(issue, key, str(call.body[key]))
        return 200, shapes.issue(call.repo(api), issue)

    def git_ref(call: Call) -> tuple[int, Any]:
        found, ref = call.repo(api), call.params["ref"]
        sha = found.branches.get(ref.removeprefix("heads/")) if ref.startswith("heads/") else None
        if sha is None:
            raise Refused(404, "Not Found")
        url = f"{shapes.base}/repos/{found.full_name}"
        return 200, {
            "ref": f"refs/{ref}",
            "node_id": f"REF_{found.id}_{ref}",
            "url": f"{url}/git/refs/{ref}",
            "object": {"sha": sha, "type": "commit", "url": f"{url}/git/commits/{sha}"},
        }

    def rate_limit(_: Call) -> tuple[int, Any]:
        core = {"limit": 5000, "remaining": 4999, "reset": int(time.time()) + 3600, "used": 1}
        return 200, {"resources": {"core": core, "search": core, "graphql": core}, "rate": core}

    table: list[tuple[str, str, Any]] = [
        ("GET", "/user", user),
        ("GET", "/rate_limit", rate_limit),
        ("GET", repo_path, repo),
        ("GET", f"{repo_path}/pulls/{{number:int}}", pull),
        ("GET", f"{repo_path}/pulls/{{number:int}}/files", files),
        ("GET", f"{repo_path}/pulls/{{number:int}}/reviews", reviews),
        ("GET", f"{repo_path}/pulls/{{number:int}}/commits", commits),
        ("GET", f"{repo_path}/issues", list_issues),
        ("POST", f"{repo_path}/issues", create_issue),
        ("GET", f"{repo_path}/issues/{{number:int}}", get_issue),
        ("PATCH", f"{repo_path}/issues/{{number:int}}", edit_issue),
        ("GET", f"{repo_path}/issues/{{number:int}}/comments", comments),
        ("POST", f"{repo_path}/issues/{{number:int}}/comments", create_comment),
        ("GET", f"{repo_path}/issues/comments/{{comment_id:int}}", get_comment),
        ("PATCH", f"{repo_path}/issues/comments/{{comment_id:int}}", edit_comment),
        ("DELETE", f"{repo_path}/issues/comments/{{comment_id:int}}", delete_comment),
        ("POST", f"{repo_path}/issues/comments/{{comment_id:int}}/reactions", react),
        ("POST", f"{repo_path}/statuses/{{sha}}", create_status),
        ("GET", f"{repo_path}/commits/{{sha}}/pulls", commit_pulls),
        ("GET", f"{repo_path}/git/trees/{{ref:path}}", tree),
        ("GET", f"{repo_path}/git/ref/{{ref:path}}", git_ref),
        ("GET", f"{repo_path}/git/blobs/{{sha}}", blob),
        ("GET", f"{repo_path}/contents/{{path:path}}", contents),
        ("GET", f"{repo_path}/collaborators/{{user}}/permission", permission),
        ("GET", "/orgs/{org}/teams/{slug}/members", team_members),
    ]
    for method, path, handler in table:
        api.route(method, path, handler)


def _invalid(field: str, problem: str) -> dict[str, str]:
    """One entry of a 422's errors list, as GitHub words it for statuses."""
    return {"resource": "Status", "code": "custom", "field": field, "message": f"{field} {problem}"}
