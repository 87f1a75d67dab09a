"""The fake GitLab's memory: users, projects, commits as full snapshots, merge requests, notes."""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

_EPOCH = datetime(2024, 5, 1, 9, 0, tzinfo=UTC)


@dataclass(frozen=True)
class User:
    id: int
    username: str


@dataclass(frozen=True)
class Commit:
    sha: str
    parent: str | None
    files: dict[str, bytes]  # the whole tree, path → bytes
    links: frozenset[str]  # which of ``files`` are symlinks (bytes = target)
    message: str
    created_at: str
    merged: str | None = None  # a merge commit's second parent: the branch merged in
    author: str = ""  # the username who wrote it ("" for the fake's own commits)


@dataclass
class Project:
    id: int
    path: str  # path_with_namespace
    default_branch: str
    branches: dict[str, str] = field(default_factory=dict)  # name → sha
    refs: dict[str, str] = field(default_factory=dict)  # other refs (merge refs) → sha
    members: dict[int, int] = field(default_factory=dict)  # user id → access level
    statuses: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # sha → oldest first
    forked_from: Project | None = None
    issues: list[Issue] = field(default_factory=list)


@dataclass
class Issue:
    id: int
    iid: int  # issues count apart from merge requests, per project
    author: User
    title: str
    description: str
    created_at: str
    state: str = "opened"  # opened, closed
    updated_at: str = ""


@dataclass(frozen=True)
class Version:
    """One diff version: GitLab records one per push to the source branch."""

    id: int
    head: str
    base: str
    created_at: str


@dataclass
class Award:
    id: int
    name: str
    user: User
    created_at: str


@dataclass
class Note:
    id: int
    author: User
    body: str
    created_at: str
    system: bool = False
    updated_at: str = ""
    awards: list[Award] = field(default_factory=list)


@dataclass
class MergeRequest:
    id: int
    iid: int
    project: Project  # the target
    source: Project
    source_branch: str
    target_branch: str
    author: User
    title: str
    draft: bool
    created_at: str
    state: str = "opened"  # opened, closed, merged
    versions: list[Version] = field(default_factory=list)
    approvers: list[User] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    merge_commit: str | None = None
    merged_by: User | None = None

    @property
    def head(self) -> str:
        return self.versions[-1].head

    @property
    def base(self) -> str:
        return self.versions[-1].base


class World:
    """Everything the fake knows; ``lock`` guards it between the server and the test thread."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.users: dict[str, User] = {}
        self.projects: dict[int, Project] = {}
        self.commits: dict[str, Commit] = {}  # one object pool, like forks sharing objects
        self.mrs: dict[tuple[int, int], MergeRequest] = {}
        self.groups: dict[str, dict[int, int]] = {}  # full path → user id → access level
        self._ids = 100
        self._ticks = 0

    def next_id(self) -> int:
        self._ids += 1
        return self._ids

    def now(self) -> str:
        """A clock that moves one second per event, so orderings are exact and repeatable."""
        self._ticks += 1
        moment = _EPOCH + timedelta(seconds=self._ticks)
        return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")

    def user(self, username: str) -> User:
        if username not in self.users:
            self.users[username] = User(self.next_id(), username)
        return self.users[username]

    def add_project(self, path: str, branch: str, forked_from: Project | None = None) -> Project:
        project = Project(self.next_id(), path, branch, forked_from=forked_from)
        self.projects[project.id] = project
        return project

    def project(self, ref: str) -> Project | None:
        """By numeric id or by ``path_with_namespace`` (already URL-decoded)."""
        if ref.isdigit():
            return self.projects.get(int(ref))
        return next((p for p in self.projects.values() if p.path == ref), None)

    def project_named(self, path: str) -> Project:
        found = self.project(path)
        if found is None:
            raise KeyError(path)
        return found

    def commit(
        self,
        parent: str | None,
        changes: dict[str, bytes | None],
        message: str,
        links: frozenset[str] = frozenset(),
        merged: str | None = None,
        author: str = "",
    ) -> Commit:
        """A new commit: the parent's snapshot with ``changes`` applied (None deletes);
        ``merged``: the second parent of a merge commit."""
        before = self.commits[parent] if parent else None
        files = dict(before.files) if before else {}
        linked = set(before.links) if before else set()
        for path, data in changes.items():
            linked.discard(path)
            if data is None:
                files.pop(path, None)
            else:
                files[path] = data
        linked |= links
        stamp = self.now()
        digest = hashlib.sha1(f"{parent}\0{merged}\0{message}\0{stamp}".encode())
        for path in sorted(files):
            digest.update(path.encode() + b"\0" + files[path] + b"\0")
        made = Commit(
            digest.hexdigest(), parent, files, frozenset(linked), message, stamp, merged, author
        )
        self.commits[made.sha] = made
        return made

    def resolve(self, project: Project, ref: str) -> Commit | None:
        """A branch of ``project`` or any known sha (merge request heads live in the target)."""
        sha = project.branches.get(ref, ref)
        return self.commits.get(sha)

    def mr(self, project: Project, iid: int) -> MergeRequest | None:
        return self.mrs.get((project.id, iid))

    def note(self, mr: MergeRequest, note_id: int) -> Note | None:
        return next((n for n in mr.notes if n.id == note_id), None)


def blob_sha(data: bytes) -> str:
    """The git blob id of ``data``, as GitLab reports it in trees and file answers."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()
