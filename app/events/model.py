"""The forge-neutral words for what happens on a pull request: frozen values, no forge fields."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


@dataclass(frozen=True)
class Approval:
    """An approval and the head commit it was given on (it counts only for that commit).

    ``given`` is the forge's id of this act of approving (a review id, a note id): approving
    again makes a new one, which is how an approval is given anew to a changed plan.
    """

    user: str
    commit: str
    given: str = ""


@dataclass(frozen=True)
class PullRequest:
    forge: str  # github, gitlab, local
    repo: str
    number: int
    author: str
    base_ref: str
    head_sha: str
    labels: tuple[str, ...] = ()
    draft: bool = False
    approvals: tuple[Approval, ...] = ()
    base_sha: str = ""
    merge_sha: str = ""  # the host's test merge of head into base; "" when it has none
    conflict: str = ""  # why the host cannot merge it as it stands (nothing to plan); "" if it can
    merged_sha: str = ""  # once merged: the commit the base branch points at; "" before
    merged_by: str = ""
    fork: bool = False  # the head lives in another repository
    state: str = "open"  # open, closed, merged
    title: str = ""

    @property
    def plan_ref(self) -> str:
        """What to plan: the merge result when the host computed one, else the head."""
        return self.merge_sha or self.head_sha


class Change(StrEnum):
    """What happened to a pull request, in our words."""

    OPENED = "opened"  # also reopened
    UPDATED = "updated"  # new head commit
    READY = "ready"  # left draft
    RELABELED = "relabeled"  # labels added or removed, nothing else: judge again, no re-plan
    CLOSED = "closed"  # closed without merging
    MERGED = "merged"


@dataclass(frozen=True)
class PullRequestEvent:
    forge: str
    repo: str
    number: int
    change: Change
    head_sha: str
    sender: str


@dataclass(frozen=True)
class ReviewEvent:
    """An approval given or withdrawn, or any review that may change the approval gate."""

    forge: str
    repo: str
    number: int
    sender: str


@dataclass(frozen=True)
class CommandEvent:
    """A ``/stackgate <verb>`` comment on a pull request."""

    forge: str
    repo: str
    number: int
    sender: str
    comment_id: int
    verb: str  # plan, apply, unlock, help, or what the user typed
    args: tuple[str, ...] = ()


@dataclass(frozen=True)
class ReconcileEvent:
    """Time to hold the cloud against the repo's default branch (the scheduler's, no PR)."""

    forge: str
    repo: str


@dataclass(frozen=True)
class MergeGroupEvent:
    """GitHub's merge queue asks for checks on a group of pull requests merged together
    (``destroyed`` empty), or has dropped the group (``destroyed``: merged, dequeued or
    invalidated). ``head_ref`` is the queue's branch; ``base_ref`` a branch name."""

    forge: str
    repo: str
    head_sha: str
    head_ref: str
    base_ref: str
    base_sha: str
    sender: str
    destroyed: str = ""
    number: int = 0  # not one pull request's: the group's jobs share the repo's lane, in order


@dataclass(frozen=True)
class PushEvent:
    """The default branch moved from ``before`` to ``after`` (how a merge queue lands)."""

    forge: str
    repo: str
    branch: str
    before: str
    after: str
    sender: str
    number: int = 0  # as a merge group's: landings run in the order the queue made them


Event = (
    PullRequestEvent | ReviewEvent | CommandEvent | MergeGroupEvent | PushEvent
)  # what forges deliver
Queued = Event | ReconcileEvent  # what a job carries


@dataclass(frozen=True)
class Ignored:
    """A delivery we do not act on, with the reason we answer it with."""

    reason: str
