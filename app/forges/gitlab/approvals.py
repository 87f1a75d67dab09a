"""Which head commit each GitLab approval was given on, from the times GitLab records.

GitLab Free's approvals API names the approvers but not the commit they approved, and
approvals survive pushes. Two dated records close the gap: the merge request's diff
versions (one per push, each with its head commit) and the system note GitLab writes
when someone approves. An approval belongs to the newest version created before it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from gitlab.v4.objects import ProjectMergeRequest

from app.events.model import Approval

APPROVED_NOTE = "approved this merge request"


@dataclass(frozen=True)
class Push:
    head: str
    at: datetime


@dataclass(frozen=True)
class ApprovalNote:
    user: str
    at: datetime
    id: str = ""


def when(stamp: str) -> datetime:
    """GitLab's ISO 8601 timestamps (``2024-05-01T10:00:00.123Z``)."""
    return datetime.fromisoformat(stamp)


def approvals_on_heads(
    approvers: Iterable[str], pushes: Iterable[Push], notes: Iterable[ApprovalNote]
) -> tuple[Approval, ...]:
    """Each current approver with the head of the push their latest approval followed.

    An approver without a dated approval note, or whose approval predates every push,
    gets commit "" so it counts for no commit: an apply gate must fail closed.
    """
    latest: dict[str, ApprovalNote] = {}
    for note in notes:
        if note.user not in latest or note.at > latest[note.user].at:
            latest[note.user] = note
    ordered = sorted(pushes, key=lambda push: push.at)
    found = []
    for user in approvers:
        given = latest.get(user)
        before = [p.head for p in ordered if given is not None and p.at <= given.at]
        # the note's id tells one act of approving from the next (unapprove, approve again)
        found.append(Approval(user, before[-1] if before else "", given.id if given else ""))
    return tuple(found)


def approvals_of(mr: ProjectMergeRequest) -> tuple[Approval, ...]:
    """Ask GitLab who approves ``mr``, its diff versions and approval notes, and match them."""
    approvers = [a["user"]["username"] for a in mr.approvals.get().approved_by]
    if not approvers:
        return ()
    pushes = [Push(v.head_commit_sha, when(v.created_at)) for v in mr.diffs.list(get_all=True)]
    notes = [
        ApprovalNote(n.author["username"], when(n.created_at), str(n.id))
        for n in mr.notes.list(get_all=True)
        if n.system and n.body.strip() == APPROVED_NOTE
    ]
    return approvals_on_heads(approvers, pushes, notes)
