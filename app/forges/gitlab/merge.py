"""What a GitLab merge request would land: its merge ref, and the target tip it was merged onto.

Plans read the merge result, as on GitHub, so a branch behind its target does not show what
the target gained since as deletions; policies and owners are read at the target tip that
result was merged onto, not at the old merge base.
"""

from __future__ import annotations

from typing import Any, cast

from gitlab.exceptions import GitlabError
from gitlab.v4.objects import Project, ProjectMergeRequest

from app.forges.base import cannot_merge
from app.forges.gitlab.errors import is_http


def merge_result(project: Project, mr: ProjectMergeRequest) -> tuple[str, str, str]:
    """``(merge_sha, base_sha, conflict)``: for an open merge request its merge ref, refreshed
    for the target's tip now, and that tip (or, when it cannot be merged, why); once merged,
    no merge ref and the tip it landed on."""
    if mr.state == "merged":
        return "", _landed_on(project, mr), ""
    if mr.state not in ("opened", "locked"):
        return "", "", ""
    try:
        # GitLab's merge ref is refreshed in the background and may trail the head or the
        # target; this call brings it up to both first (400 when they do not merge)
        answer = cast(dict[str, Any], mr.merge_ref())  # JSON, as nothing asked for a stream
        merge_sha = str(answer["commit_id"])
    except GitlabError as exc:
        if is_http(exc, 400, "not mergeable"):
            return "", "", _cannot_merge(mr, str(exc.error_message))
        raise
    return merge_sha, _first_parent(project, merge_sha), ""


def _landed_on(project: Project, mr: ProjectMergeRequest) -> str:
    """The target's tip just before the merge: the merge or squash commit's first parent;
    after a fast-forward (the head itself landed) the merge base, which was that tip."""
    landed = mr.merge_commit_sha or mr.squash_commit_sha
    if landed and landed != mr.sha:
        return _first_parent(project, str(landed))
    return str((mr.diff_refs or {}).get("base_sha") or "")


def _first_parent(project: Project, sha: str) -> str:
    parents = project.commits.get(sha).parent_ids
    return str(parents[0]) if parents else ""


def _cannot_merge(mr: ProjectMergeRequest, answer: str) -> str:
    return cannot_merge(f"!{mr.iid}", mr.target_branch, f"GitLab: {answer}")
