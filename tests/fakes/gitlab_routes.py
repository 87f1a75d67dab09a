"""The fake GitLab's merge request endpoints, and the table of every route the fake answers."""

from __future__ import annotations

from typing import Any

from tests.fakes import gitlab_json as js
from tests.fakes import gitlab_repo_routes as repo
from tests.fakes.gitlab_api import ApiError, Call, Created, Reply, Routes
from tests.fakes.gitlab_merge import merge_ref
from tests.fakes.gitlab_state import Award, Commit, Issue, MergeRequest, Note

NOTE_LIMIT = 1_000_000  # the longest note body GitLab keeps


def _mr(call: Call) -> MergeRequest:
    found = call.world.mr(repo.project_of(call), int(call.args[1]))
    if found is None:
        raise ApiError(404, "404 Not found")
    return found


def _note(call: Call, *, mine: bool = False) -> tuple[MergeRequest, Note]:
    mr = _mr(call)
    found = call.world.note(mr, int(call.args[2]))
    if found is None:
        raise ApiError(404, "404 Note Not Found")
    if mine and found.author != call.me:
        raise ApiError(403, "403 Forbidden")
    return mr, found


def users(call: Call) -> Reply:
    """``username`` exactly; ``search`` as GitLab's: an email matches a public email exactly,
    other text any part of a username or name."""
    wanted, search = call.query.get("username"), (call.query.get("search") or "").lower()
    found = [u for u in call.world.users.values() if wanted in (None, u.username)]
    if "@" in search:
        found = [u for u in found if js.public_email(u.username) == search]
    elif search:
        found = [u for u in found if search in u.username.lower()]
    return [js.user(u) for u in found]


def mr_commits(call: Call) -> Reply:
    """The merge request's commits, newest first, from its head back to its base."""
    mr, listed = _mr(call), []
    sha: str | None = mr.head
    while sha and sha != mr.base:
        made = call.world.commits[sha]
        listed.append(js.commit(made, mr.project))
        sha = made.parent
    return listed


def diffs(call: Call) -> Reply:
    mr = _mr(call)
    return changes(call.world.commits[mr.base], call.world.commits[mr.head])


def changes(old: Commit, new: Commit) -> list[dict[str, Any]]:
    """What GitLab lists for old→new: a deleted file whose bytes reappear is a rename."""
    gone = sorted(set(old.files) - set(new.files))
    out = []
    for path in sorted(new.files):
        mode = "120000" if path in new.links else "100644"
        if path not in old.files:
            twin = next((g for g in gone if old.files[g] == new.files[path]), None)
            if twin is None:
                out.append(js.diff(path, path, "new", ("0", mode)))
            else:
                gone.remove(twin)
                out.append(js.diff(twin, path, "renamed", (mode, mode)))
        elif old.files[path] != new.files[path] or (path in old.links) != (path in new.links):
            out.append(js.diff(path, path, "modified", ("100644", mode)))
    return out + [js.diff(path, path, "deleted", ("100644", "0")) for path in gone]


def versions(call: Call) -> Reply:
    mr = _mr(call)
    return [js.version(mr, v) for v in reversed(mr.versions)]  # newest first, like GitLab


def approvals(call: Call) -> Reply:
    mr = _mr(call)
    return {  # the Free tier's entity: who approved, no rules and no approvals_left
        "user_has_approved": call.me in mr.approvers,
        "user_can_approve": call.me not in mr.approvers,
        "approved": bool(mr.approvers),
        "approved_by": [{"user": js.user(u)} for u in mr.approvers],
    }


def list_notes(call: Call) -> Reply:
    """GitLab's default order is newest first (order_by=created_at, sort=desc)."""
    mr = _mr(call)
    key = "updated_at" if call.query.get("order_by") == "updated_at" else "created_at"
    found = [js.note(mr, n) for n in mr.notes]
    found.sort(key=lambda n: (n[key], n["id"]), reverse=call.query.get("sort", "desc") == "desc")
    return found


def _note_body(call: Call) -> str:
    """GitLab validates a note's length in the model and answers with its errors' hash."""
    body = str(call.body["body"])
    if len(body) > NOTE_LIMIT:
        too_long = f'{{:note=>["is too long (maximum is {NOTE_LIMIT} characters)"]}}'
        raise ApiError(400, f"400 Bad request - Note {too_long}")
    return body


def create_note(call: Call) -> Reply:
    mr = _mr(call)
    if not call.body.get("body"):
        raise ApiError(400, "body is missing", "error")
    note = Note(call.world.next_id(), call.me, _note_body(call), call.world.now())
    mr.notes.append(note)
    return Created(js.note(mr, note))


def edit_note(call: Call) -> Reply:
    mr, note = _note(call, mine=True)
    note.body, note.updated_at = _note_body(call), call.world.now()
    return js.note(mr, note)


def delete_note(call: Call) -> Reply:
    mr, note = _note(call, mine=True)
    mr.notes.remove(note)
    return None


def award(call: Call) -> Reply:
    """Award an emoji; GitLab answers a repeated award with 404 "has already been taken"."""
    _, note = _note(call)
    name = call.body.get("name", "")
    if any(a.name == name and a.user == call.me for a in note.awards):
        raise ApiError(404, '404 Award Emoji {:name=>["has already been taken"]} Not Found')
    given = Award(call.world.next_id(), name, call.me, call.world.now())
    note.awards.append(given)
    return Created(_award(given, note))


def awards(call: Call) -> Reply:
    _, note = _note(call)
    return [_award(a, note) for a in note.awards]


def _award(given: Award, note: Note) -> dict[str, Any]:
    return {
        "id": given.id,
        "name": given.name,
        "user": js.user(given.user),
        "created_at": given.created_at,
        "updated_at": given.created_at,
        "awardable_id": note.id,
        "awardable_type": "Note",
    }


def list_issues(call: Call) -> Reply:
    project = repo.project_of(call)
    state = call.query.get("state", "all")
    author = call.query.get("author_id")
    search = call.query.get("search", "")
    return [
        js.issue(project, found)
        for found in sorted(project.issues, key=lambda i: -i.id)
        if state in ("all", found.state)
        and author in (None, str(found.author.id))
        and (search in found.title or search in found.description)
    ]


def create_issue(call: Call) -> Reply:
    project = repo.project_of(call)
    if not call.body.get("title"):
        raise ApiError(400, "title is missing", "error")
    made = Issue(
        call.world.next_id(),
        len(project.issues) + 1,
        call.me,
        call.body["title"],
        call.body.get("description") or "",
        call.world.now(),
    )
    project.issues.append(made)
    return Created(js.issue(project, made))


def edit_issue(call: Call) -> Reply:
    project = repo.project_of(call)
    found = next((i for i in project.issues if i.iid == int(call.args[1])), None)
    if found is None:
        raise ApiError(404, "404 Not found")
    for key in ("title", "description"):
        if key in call.body:
            setattr(found, key, call.body[key])
    event = call.body.get("state_event")
    if event in ("close", "reopen"):
        found.state = "closed" if event == "close" else "opened"
    found.updated_at = call.world.now()
    return js.issue(project, found)


def commit_merge_requests(call: Call) -> Reply:
    """Merge requests that brought the commit in: merged into it, or with it as their head."""
    project, sha = repo.project_of(call), call.args[1]
    return [
        js.merge_request(mr)
        for (pid, _), mr in sorted(call.world.mrs.items())
        if pid == project.id and sha in (mr.merge_commit, mr.head)
    ]


P = r"/projects/([^/]+)"
MR = P + r"/merge_requests/(\d+)"
NOTE = MR + r"/notes/(\d+)"
ROUTES: Routes = [
    ("GET", "/user", lambda call: js.user(call.me, call.base)),
    ("GET", "/users", users),
    ("GET", P, lambda call: js.project(repo.project_of(call))),
    ("GET", MR, lambda call: js.merge_request(_mr(call))),
    ("GET", MR + "/diffs", diffs),
    ("GET", MR + "/commits", mr_commits),
    ("GET", MR + "/versions", versions),
    ("GET", MR + "/merge_ref", lambda call: merge_ref(call, _mr(call))),
    ("GET", MR + "/approvals", approvals),
    ("GET", MR + "/notes", list_notes),
    ("POST", MR + "/notes", create_note),
    ("GET", NOTE, lambda call: js.note(*_note(call))),
    ("PUT", NOTE, edit_note),
    ("DELETE", NOTE, delete_note),
    ("GET", NOTE + "/award_emoji", awards),
    ("POST", NOTE + "/award_emoji", award),
    ("GET", P + "/issues", list_issues),
    ("POST", P + "/issues", create_issue),
    ("PUT", P + r"/issues/(\d+)", edit_issue),
    ("GET", P + "/repository/tree", repo.tree),
    ("GET", P + r"/repository/files/([^/]+)/raw", repo.raw_file),
    ("GET", P + r"/repository/files/([^/]+)", repo.file_json),
    ("GET", P + r"/repository/commits/([^/]+)", repo.get_commit),
    ("GET", P + r"/repository/commits/([^/]+)/merge_requests", commit_merge_requests),
    ("GET", P + r"/repository/commits/([^/]+)/statuses", repo.list_statuses),
    ("POST", P + r"/statuses/([^/]+)", repo.post_status),
    ("GET", P + r"/members/all/(\d+)", repo.member),
    ("GET", r"/groups/([^/]+)/members/all", repo.group_members),
]
