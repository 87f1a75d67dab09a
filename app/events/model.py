"""The forge-neutral words for what happens on a pull request: frozen values, no forge fields."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Approval:
    """An approval and the head commit it was given on (it counts only for that commit)."""

    user: str
    commit: str


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
