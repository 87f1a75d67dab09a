"""The fake GitLab's repository endpoints: tree, files, commits, commit statuses, members."""

from __future__ import annotations

import base64
import hashlib
import posixpath
from typing import Any

from tests.fakes import gitlab_json as js
from tests.fakes.gitlab_api import ApiError, Call, Created, Reply
from tests.fakes.gitlab_state import Commit, Project, blob_sha

STATES = {"pending", "running", "success", "failed", "canceled", "skipped"}
EVENTS = {"pending": "enqueue", "running": "run"}  # the states GitLab will not re-enter
FIELD_LIMIT = 255


def project_of(call: Call) -> Project:
    found = call.world.project(call.args[0])
    if found is None:
        raise ApiError(404, "404 Project Not Found")
    return found


def commit_at(call: Call, ref: str, missing: str = "404 Commit Not Found") -> Commit:
    found = call.world.resolve(project_of(call), ref)
    if found is None:
        raise ApiError(404, missing)
    return found


def tree(call: Call) -> Reply:
    ref = call.query.get("ref") or project_of(call).default_branch
    commit = commit_at(call, ref, "404 Tree Not Found")
    under = call.query.get("path", "").strip("/")
    recursive = call.query.get("recursive", "false").lower() in ("true", "1")
    dirs = {parent for path in commit.files for parent in _parents(path)}
    entries = [(d, "tree", "040000") for d in dirs]
    entries += [(p, "blob", "120000" if p in commit.links else "100644") for p in commit.files]
    out = []
    for path, kind, mode in sorted(entries):
        parent = posixpath.dirname(path)
        inside = not under or parent == under or parent.startswith(under + "/")
        if parent == under or (recursive and inside):
            data = commit.files.get(path, path.encode())
            sha = blob_sha(data) if kind == "blob" else hashlib.sha1(data).hexdigest()
            name = posixpath.basename(path)
            out.append({"id": sha, "name": name, "type": kind, "path": path, "mode": mode})
    return out


def _parents(path: str) -> list[str]:
    parts = path.split("/")[:-1]
    return ["/".join(parts[: i + 1]) for i in range(len(parts))]


def raw_file(call: Call) -> Reply:
    return _file_bytes(call)


def file_json(call: Call) -> Reply:
    data, commit = _file_bytes(call), commit_at(call, call.query["ref"])
    return {
        "file_name": posixpath.basename(call.args[1]),
        "file_path": call.args[1],
        "size": len(data),
        "encoding": "base64",
        "content": base64.b64encode(data).decode(),
        "content_sha256": hashlib.sha256(data).hexdigest(),
        "ref": call.query["ref"],
        "blob_id": blob_sha(data),
        "commit_id": commit.sha,
        "last_commit_id": commit.sha,
    }


def _file_bytes(call: Call) -> bytes:
    if "ref" not in call.query:
        raise ApiError(400, "ref is missing", "error")
    data = commit_at(call, call.query["ref"], "404 File Not Found").files.get(call.args[1])
    if data is None:
        raise ApiError(404, "404 File Not Found")
    return data


def get_commit(call: Call) -> Reply:
    return js.commit(commit_at(call, call.args[1]), project_of(call))


def list_statuses(call: Call) -> Reply:
    sha = commit_at(call, call.args[1]).sha
    return list(reversed(project_of(call).statuses.get(sha, [])))


def post_status(call: Call) -> Reply:
    """GitLab's rules: its own state words, 255-char fields, no re-entering pending/running."""
    project, sha, body = project_of(call), commit_at(call, call.args[1]).sha, call.body
    state, name = body.get("state"), body.get("name") or body.get("context") or "default"
    if state not in STATES:
        raise ApiError(400, "state does not have a valid value", "error")
    for field in ("description", "target_url", "ref"):
        if len(body.get(field) or "") > FIELD_LIMIT:
            raise ApiError(400, {field: [f"is too long (maximum is {FIELD_LIMIT} characters)"]})
    mine = project.statuses.setdefault(sha, [])
    latest = next((s for s in reversed(mine) if s["name"] == name), None)
    if latest is not None and latest["status"] == state and state in EVENTS:
        event = EVENTS[state]
        reason = f'(Reason(s): Status cannot transition via "{event}")'
        raise ApiError(400, f"Cannot transition status via :{event} from :{state} {reason}")
    made = _status(call, sha, name, state)
    mine.append(made)
    return Created(made)


def _status(call: Call, sha: str, name: str, state: str) -> dict[str, Any]:
    return {
        "id": call.world.next_id(),
        "sha": sha,
        "ref": call.body.get("ref"),
        "status": state,
        "name": name,
        "target_url": call.body.get("target_url"),
        "description": call.body.get("description"),
        "created_at": call.world.now(),
        "started_at": None,
        "finished_at": None,
        "allow_failure": False,
        "coverage": None,
        "author": js.user(call.me),
    }


def member(call: Call) -> Reply:
    project, uid = project_of(call), int(call.args[1])
    level = project.members.get(uid)
    if level is None:
        raise ApiError(404, "404 Not found")
    return _member(call, uid, level)


def group_members(call: Call) -> Reply:
    group = call.world.groups.get(call.args[0])
    if group is None:
        raise ApiError(404, "404 Group Not Found")
    return [_member(call, uid, level) for uid, level in group.items()]


def _member(call: Call, uid: int, level: int) -> dict[str, Any]:
    found = next(u for u in call.world.users.values() if u.id == uid)
    return {
        **js.user(found),
        "access_level": level,
        "created_at": "2024-05-01T09:00:00.000Z",
        "expires_at": None,
    }
