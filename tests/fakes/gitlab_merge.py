"""How the fake GitLab merges: a real three-way merge of the target's tip and the source head.

GitLab writes that merge to ``refs/merge-requests/:iid/merge`` when asked (the merge_ref
endpoint) and makes the same merge when the request is merged; both refuse a conflict.
"""

from __future__ import annotations

from tests.fakes.gitlab_api import ApiError, Call, Reply
from tests.fakes.gitlab_state import Commit, MergeRequest, World
from tests.fakes.threeway import Side, merge_path

NOT_MERGEABLE = "Merge request is not mergeable"  # GitLab's 400 for conflicts, closed, merged


def merge_ref(call: Call, mr: MergeRequest) -> Reply:
    """GET …/merge_ref: refresh the merge ref for the target's tip now and name its commit."""
    if mr.state != "opened":
        raise ApiError(400, NOT_MERGEABLE)
    made = merged(call.world, mr)
    if made is None:
        raise ApiError(400, NOT_MERGEABLE)
    return {"commit_id": made.sha}


def merged(world: World, mr: MergeRequest) -> Commit | None:
    """The merge commit of the target's tip and the head (first parent the target, as
    GitLab's), kept while both are unchanged; None when they conflict."""
    target = mr.project.branches[mr.target_branch]
    path = f"refs/merge-requests/{mr.iid}/merge"
    kept = world.commits.get(mr.project.refs.get(path, ""))
    if kept is not None and (kept.parent, kept.merged) == (target, mr.head):
        return kept
    made = merge(world, target, mr.head, message(mr))
    if made is not None:
        mr.project.refs[path] = made.sha
    return made


def message(mr: MergeRequest) -> str:
    """GitLab's default merge commit message."""
    return (
        f"Merge branch '{mr.source_branch}' into '{mr.target_branch}'\n\n{mr.title}\n\n"
        f"See merge request {mr.project.path}!{mr.iid}"
    )


def merge(world: World, ours: str, theirs: str, text: str) -> Commit | None:
    """A commit on ``ours`` merging ``theirs`` in; None when they conflict."""
    base = world.commits.get(merge_base(world, ours, theirs) or "")
    one, two = world.commits[ours], world.commits[theirs]
    changes: dict[str, bytes | None] = {}
    links: set[str] = set()
    for path in sorted({*one.files, *two.files, *(base.files if base else ())}):
        result = merge_path(_side(base, path), _side(one, path), _side(two, path))
        if result is False:
            return None
        if result is None:
            changes[path] = None
        else:
            changes[path] = result[0]
            links |= {path} if result[1] else set()
    return world.commit(ours, changes, text, frozenset(links), merged=theirs)


def merge_base(world: World, one: str, two: str) -> str | None:
    """The newest commit both descend from (the fake's clock makes it a best common one)."""
    common = _ancestors(world, one) & _ancestors(world, two)
    return max(common, key=lambda sha: world.commits[sha].created_at, default=None)


def _ancestors(world: World, sha: str) -> set[str]:
    seen, todo = set(), [sha]
    while todo:
        current = todo.pop()
        if current not in seen:
            seen.add(current)
            commit = world.commits[current]
            todo += [p for p in (commit.parent, commit.merged) if p is not None]
    return seen


def _side(commit: Commit | None, path: str) -> Side:
    if commit is None or path not in commit.files:
        return None
    return commit.files[path], path in commit.links
