"""The few git questions stackgate asks of a checkout: what changed, what a file held, whose."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

from app.forges.base import TreeFile
from app.spec.sources import PROJECTS_DIR, SETTINGS_FILE, Entry, link_target

SYMLINK_MODE = "120000"


class GitError(RuntimeError):
    """git failed; the message is git's own first line."""


def run(root: Path, *args: str, env: dict[str, str] | None = None) -> str:
    """git's output for ``args`` in ``root``; GitError with git's own words when it fails."""
    done = subprocess.run(
        ["git", "-C", str(root), *args], capture_output=True, text=True, check=False, env=env
    )
    if done.returncode != 0:
        first = (done.stderr.strip().splitlines() or ["git failed"])[0]
        raise GitError(first)
    return done.stdout


def as_user(user: str) -> dict[str, str]:
    """The environment for git to author and commit as ``user``."""
    email = f"{user}@localhost"
    names = ("GIT_AUTHOR", "GIT_COMMITTER")
    return os.environ | {f"{n}_NAME": user for n in names} | {f"{n}_EMAIL": email for n in names}


def top_level(path: Path) -> Path:
    return Path(run(path, "rev-parse", "--show-toplevel").strip())


def head_commit(root: Path) -> str:
    """The checked-out commit, or "" outside git (drift reports say which commit they judged)."""
    try:
        return run(root, "rev-parse", "HEAD").strip()
    except GitError:
        return ""


def changed_paths(root: Path, base: str) -> set[str]:
    """Paths under ``root`` changed since the merge base with ``base``: commits, edits, new."""
    merge_base = run(root, "merge-base", base, "HEAD").strip()
    listed = run(root, "diff", "--name-only", "--no-renames", "--relative", merge_base, "--", ".")
    listed += run(root, "ls-files", "--others", "--exclude-standard")
    return {line for line in listed.splitlines() if line}


def files_at(root: Path, ref: str, *paths: str) -> list[TreeFile]:
    """The files at ``ref`` (under ``paths``, if any), with their sizes; symlinks marked.
    Submodules and other non-files are left out."""
    listed = run(root, "ls-tree", "-r", "-l", "-z", ref, "--", *paths)
    found = []
    for line in filter(None, listed.split("\0")):
        meta, _, path = line.partition("\t")
        mode, kind, _sha, size = meta.split()
        if kind == "blob":
            found.append(TreeFile(path, int(size), symlink=mode == SYMLINK_MODE))
    return found


def read_at(root: Path, ref: str, path: str) -> bytes | None:
    """A file's bytes at ``ref`` (path relative to ``root``), or None if it did not exist."""
    return _blob(root, f"{ref}:./{path}")


def blob(root: Path, ref: str, path: str) -> bytes | None:
    """A file's bytes at ``ref``, the path from the repository's top (bare repos too)."""
    return _blob(root, f"{ref}:{path}")


def _blob(root: Path, spec: str) -> bytes | None:
    done = subprocess.run(
        ["git", "-C", str(root), "cat-file", "blob", spec], capture_output=True, check=False
    )
    return done.stdout if done.returncode == 0 else None


_REMOTE = re.compile(r"^(?:[a-z+]+://)?(?:[^@/]+@)?(?P<host>[^:/]+)[:/](?P<path>.+?)(?:\.git)?/?$")


def repo_id(root: Path) -> str | None:
    """The origin remote as host/path: ``git@github.com:acme/infra.git`` → github.com/acme/infra."""
    try:
        url = run(root, "config", "--get", "remote.origin.url").strip()
    except GitError:
        return None
    match = _REMOTE.match(url)
    return f"{match['host']}/{match['path']}" if match else None


class GitTreeSource:
    """The repo files at a git ref, for loading desired state as it was (e.g. at the base)."""

    def __init__(self, root: Path, ref: str) -> None:
        self.root, self.ref = root, ref
        self.links: dict[str, str] = {}  # symlink → the path inside the tree it points at

    def entries(self) -> list[Entry]:
        found = []
        for item in files_at(self.root, self.ref, SETTINGS_FILE, PROJECTS_DIR):
            if item.symlink:
                target, escapes = link_target(item.path, self._blob(item.path))
                self.links[item.path] = target
                found.append(Entry(item.path, 0, escapes))
            else:
                found.append(Entry(item.path, item.size))
        return sorted(found, key=lambda entry: entry.path)

    def _blob(self, path: str) -> str:
        return (read_at(self.root, self.ref, path) or b"").decode("utf-8", "replace")

    def read(self, path: str, limit: int) -> bytes:
        data = read_at(self.root, self.ref, self.links.get(path, path))
        if data is None:
            raise FileNotFoundError(path)
        return data[: limit + 1]
