"""GitLab REST v4 answer shapes for the fake, field for field after GitLab's API docs examples."""

from __future__ import annotations

from typing import Any

from tests.fakes.gitlab_state import Commit, Issue, MergeRequest, Note, Project, User, Version

WEB = "http://gitlab.example.com"  # where web links point; never followed by python-gitlab


def public_email(username: str) -> str:
    """Every fake user shows this public email (GitLab's user search matches it exactly)."""
    return f"{username}@example.com"


def user(u: User, base: str = WEB) -> dict[str, Any]:
    return {
        "id": u.id,
        "username": u.username,
        "name": u.username.title(),
        "state": "active",
        "locked": False,
        "avatar_url": f"{WEB}/uploads/-/system/user/avatar/{u.id}/avatar.png",
        "web_url": f"{base}/{u.username}",
    }


def project(p: Project) -> dict[str, Any]:
    namespace, _, name = p.path.rpartition("/")
    return {
        "id": p.id,
        "description": None,
        "name": name,
        "name_with_namespace": f"{namespace} / {name}",
        "path": name,
        "path_with_namespace": p.path,
        "created_at": "2024-05-01T09:00:00.000Z",
        "default_branch": p.default_branch,
        "ssh_url_to_repo": f"git@gitlab.example.com:{p.path}.git",
        "http_url_to_repo": f"{WEB}/{p.path}.git",
        "web_url": f"{WEB}/{p.path}",
        "visibility": "private",
        "namespace": {"id": p.id + 1000, "name": namespace, "path": namespace, "kind": "group"},
        "forked_from_project": project(p.forked_from) if p.forked_from else None,
    }


def merge_request(mr: MergeRequest) -> dict[str, Any]:
    target = mr.project.path
    return {
        "id": mr.id,
        "iid": mr.iid,
        "project_id": mr.project.id,
        "title": mr.title,
        "description": "",
        "state": mr.state,
        "created_at": mr.created_at,
        "updated_at": mr.versions[-1].created_at,
        "merged_at": None,
        "closed_at": None,
        "target_branch": mr.target_branch,
        "source_branch": mr.source_branch,
        "author": user(mr.author),
        "assignees": [],
        "reviewers": [],
        "source_project_id": mr.source.id,
        "target_project_id": mr.project.id,
        "labels": list(mr.labels),
        "draft": mr.draft,
        "work_in_progress": mr.draft,
        "milestone": None,
        "merge_when_pipeline_succeeds": False,
        "merge_status": "can_be_merged",
        "detailed_merge_status": "draft_status" if mr.draft else "mergeable",
        "sha": mr.head,
        "merge_commit_sha": mr.merge_commit,
        "merge_user": user(mr.merged_by) if mr.merged_by else None,
        "merged_by": user(mr.merged_by) if mr.merged_by else None,
        "squash_commit_sha": None,
        "user_notes_count": sum(not n.system for n in mr.notes),
        "discussion_locked": None,
        "squash": False,
        "has_conflicts": False,
        "blocking_discussions_resolved": True,
        "reference": f"!{mr.iid}",
        "references": {
            "short": f"!{mr.iid}",
            "relative": f"!{mr.iid}",
            "full": f"{target}!{mr.iid}",
        },
        "web_url": f"{WEB}/{target}/-/merge_requests/{mr.iid}",
        "diff_refs": {"base_sha": mr.base, "head_sha": mr.head, "start_sha": mr.base},
        "first_contribution": False,
    }


def issue(project: Project, found: Issue) -> dict[str, Any]:
    """The fields the Issues API documents for a project issue."""
    web = f"{WEB}/{project.path}/-/issues/{found.iid}"
    return {
        "id": found.id,
        "iid": found.iid,
        "project_id": project.id,
        "title": found.title,
        "description": found.description,
        "state": found.state,
        "created_at": found.created_at,
        "updated_at": found.updated_at or found.created_at,
        "closed_at": found.updated_at if found.state == "closed" else None,
        "closed_by": None,
        "labels": [],
        "milestone": None,
        "assignees": [],
        "author": user(found.author),
        "type": "ISSUE",
        "issue_type": "issue",
        "assignee": None,
        "user_notes_count": 0,
        "merge_requests_count": 0,
        "upvotes": 0,
        "downvotes": 0,
        "due_date": None,
        "confidential": False,
        "discussion_locked": None,
        "web_url": web,
        "references": {
            "short": f"#{found.iid}",
            "relative": f"#{found.iid}",
            "full": f"{project.path}#{found.iid}",
        },
        "_links": {
            "self": f"{WEB}/api/v4/projects/{project.id}/issues/{found.iid}",
            "project": f"{WEB}/api/v4/projects/{project.id}",
        },
    }


def version(mr: MergeRequest, v: Version) -> dict[str, Any]:
    return {
        "id": v.id,
        "head_commit_sha": v.head,
        "base_commit_sha": v.base,
        "start_commit_sha": v.base,
        "created_at": v.created_at,
        "merge_request_id": mr.id,
        "state": "collected",
        "real_size": "1",
        "patch_id_sha": v.head,
    }


def note(mr: MergeRequest, n: Note) -> dict[str, Any]:
    return {
        "id": n.id,
        "type": None,
        "body": n.body,
        "attachment": None,
        "author": user(n.author),
        "created_at": n.created_at,
        "updated_at": n.updated_at or n.created_at,
        "system": n.system,
        "noteable_id": mr.id,
        "noteable_type": "MergeRequest",
        "project_id": mr.project.id,
        "resolvable": False,
        "confidential": False,
        "internal": False,
        "noteable_iid": mr.iid,
        "commands_changes": {},
    }


def commit(c: Commit, p: Project) -> dict[str, Any]:
    title = c.message.splitlines()[0] if c.message else ""
    return {
        "id": c.sha,
        "short_id": c.sha[:8],
        "title": title,
        "message": c.message,
        "author_name": c.author.title() if c.author else "Fake Author",
        "author_email": public_email(c.author) if c.author else "author@example.com",
        "authored_date": c.created_at,
        "committer_name": c.author.title() if c.author else "Fake Author",
        "committer_email": public_email(c.author) if c.author else "author@example.com",
        "committed_date": c.created_at,
        "created_at": c.created_at,
        "parent_ids": [sha for sha in (c.parent, c.merged) if sha],
        "web_url": f"{WEB}/{p.path}/-/commit/{c.sha}",
    }


def diff(old: str, new: str, kind: str, modes: tuple[str, str]) -> dict[str, Any]:
    """One changed file; ``kind`` is new, deleted, renamed or modified."""
    return {
        "old_path": old,
        "new_path": new,
        "a_mode": modes[0],
        "b_mode": modes[1],
        "new_file": kind == "new",
        "renamed_file": kind == "renamed",
        "deleted_file": kind == "deleted",
        "generated_file": False,
        "diff": "" if kind == "renamed" else f"--- a/{old}\n+++ b/{new}\n",
    }
