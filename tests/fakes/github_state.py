"""What the fake GitHub remembers: commits as whole snapshots, PRs, reviews, comments, statuses."""

from __future__ import annotations

import hashlib
import itertools
from dataclasses import dataclass, field

from tests.fakes.threeway import Side, merge_path

SYMLINK_PREFIX = b"symlink:"  # tests write links as b"symlink:<target>"; git keeps just <target>


def blob_sha(data: bytes) -> str:
    """The sha git (and so GitHub) gives these bytes."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


@dataclass(frozen=True)
class Commit:
    sha: str
    files: dict[str, bytes]  # path → bytes (a symlink keeps its target path as bytes)
    links: frozenset[str] = frozenset()
    parent: str = ""
    author: str = ""  # the login who wrote and pushed it ("" for the fake's own commits)
    merged: str = ""  # a merge commit's second parent: the head it took in


@dataclass
class Review:
    id: int
    user: str
    state: str  # REST words: APPROVED, CHANGES_REQUESTED, COMMENTED, DISMISSED
    commit_id: str


@dataclass
class Comment:
    id: int
    number: int
    author: str
    body: str
    reactions: list[tuple[str, str]] = field(default_factory=list)  # (user, content)


@dataclass
class Issue:
    """An issue that is not a pull request (PRs are issues too on GitHub, and share numbers)."""

    number: int
    author: str
    title: str
    body: str
    state: str = "open"  # open, closed


@dataclass
class Status:
    id: int
    context: str
    state: str
    description: str
    target_url: str


@dataclass
class Pull:
    number: int
    author: str
    title: str
    draft: bool
    fork: bool
    base_ref: str
    start_sha: str  # the base tip when opened: what the PR's diff is taken against
    head_sha: str
    merge_sha: str = ""
    landed_on: str = ""  # once merged: the base tip it merged onto, which base.sha keeps saying
    state: str = "open"
    merged: bool = False
    merged_by: str = ""
    labels: list[str] = field(default_factory=list)
    reviews: list[Review] = field(default_factory=list)


@dataclass
class Repo:
    full_name: str
    id: int
    default_branch: str
    commits: dict[str, Commit] = field(default_factory=dict)
    branches: dict[str, str] = field(default_factory=dict)
    pulls: dict[int, Pull] = field(default_factory=dict)
    issues: dict[int, Issue] = field(default_factory=dict)
    comments: dict[int, Comment] = field(default_factory=dict)
    statuses: dict[str, list[Status]] = field(default_factory=dict)
    roles: dict[str, str] = field(default_factory=dict)  # login → admin/maintain/write/read
    blobs: dict[str, bytes] = field(default_factory=dict)  # sha → bytes, for git/blobs

    def next_number(self) -> int:
        """Pull requests and issues count up together, as on GitHub."""
        return max([*self.pulls, *self.issues], default=0) + 1

    def resolve(self, ref: str) -> Commit | None:
        """A commit by sha or branch name."""
        return self.commits.get(self.branches.get(ref, ref))

    def commit(
        self,
        files: dict[str, bytes],
        links: frozenset[str],
        parent: str,
        author: str = "",
        merged: str = "",
    ) -> Commit:
        listing = "".join(f"{path}\0{blob_sha(data)}\n" for path, data in sorted(files.items()))
        sha = _sha(f"{parent}\n{len(self.commits)}\n{listing}")
        made = Commit(sha, files, links, parent, author, merged)
        self.commits[made.sha] = made
        self.blobs.update((blob_sha(data), data) for data in files.values())
        return made

    def apply(
        self, base: Commit, changes: dict[str, bytes | None], author: str = "", merged: str = ""
    ) -> Commit:
        """A new commit on ``base`` with ``changes`` (None deletes; symlink: prefix links);
        ``merged``: the head a merge commit takes in, its second parent."""
        files, links = dict(base.files), set(base.links)
        for path, data in changes.items():
            files.pop(path, None)
            links.discard(path)
            if data is None:
                continue
            if data.startswith(SYMLINK_PREFIX):
                data = data[len(SYMLINK_PREFIX) :]
                links.add(path)
            files[path] = data
        return self.commit(files, frozenset(links), base.sha, author, merged)

    def changes(self, pull: Pull) -> dict[str, bytes | None]:
        """What the PR's head changed since it was opened, as path → bytes (None: deleted)."""
        start, head = self.commits[pull.start_sha], self.commits[pull.head_sha]
        return {
            path: _as_change(head, path)
            for path in start.files.keys() | head.files.keys()
            if _as_change(start, path) != _as_change(head, path)
        }

    def test_merge(self, pull: Pull, onto: str = "") -> str:
        """GitHub's test merge: git's three-way merge of the base tip (or ``onto``) and the PR's
        head over where the PR started; "" when they conflict (GitHub then says
        ``mergeable: false``). With ``onto``: a merge commit, the head its second parent."""
        start, head = self.commits[pull.start_sha], self.commits[pull.head_sha]
        tip = self.commits[onto or self.branches[pull.base_ref]]
        merged: dict[str, bytes | None] = {}
        for path in self.changes(pull):
            result = merge_path(_side(start, path), _side(tip, path), _side(head, path))
            if result is False:
                return ""
            merged[path] = None if result is None else _as_change_of(*result)
        return self.apply(tip, merged, merged=pull.head_sha if onto else "").sha


def diff_entries(start: Commit, head: Commit) -> list[tuple[str, str, str | None]]:
    """(filename, status, previous_filename) like pulls/N/files; exact-content renames paired."""
    added = sorted(head.files.keys() - start.files.keys())
    removed = sorted(start.files.keys() - head.files.keys())
    entries: list[tuple[str, str, str | None]] = []
    for path in added:
        twin = next((old for old in removed if start.files[old] == head.files[path]), None)
        if twin is not None:
            removed.remove(twin)
            entries.append((path, "renamed", twin))
        else:
            entries.append((path, "added", None))
    entries += [(path, "removed", None) for path in removed]
    entries += [
        (path, "modified", None)
        for path in sorted(start.files.keys() & head.files.keys())
        if start.files[path] != head.files[path]
    ]
    return sorted(entries)


_ids = itertools.count(1_000_001)


def next_id() -> int:
    """Ids unique across the fake, like GitHub's global ids."""
    return next(_ids)


def _as_change(commit: Commit, path: str) -> bytes | None:
    side = _side(commit, path)
    return None if side is None else _as_change_of(*side)


def _side(commit: Commit, path: str) -> Side:
    data = commit.files.get(path)
    return None if data is None else (data, path in commit.links)


def _as_change_of(data: bytes, link: bool) -> bytes:
    return SYMLINK_PREFIX + data if link else data


def _sha(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()
