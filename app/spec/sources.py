"""Where repo files come from: a directory on disk or files already fetched (a forge, a test).

The loader only sees this interface, so loading at a Git ref or from a forge API is the
same code path as loading a checkout.
"""

from __future__ import annotations

import os
import posixpath
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

SETTINGS_FILE = "stackgate.yaml"
PROJECTS_DIR = "projects"


@dataclass(frozen=True, slots=True)
class Entry:
    path: str  # posix path relative to the repo root
    size: int
    escapes: bool = False  # a symlink pointing outside the repo: never read


def link_target(link: str, points_to: str) -> tuple[str, bool]:
    """Where a symlink stored in a tree at ``link`` leads, and whether that leaves the repo."""
    target = posixpath.normpath(posixpath.join(posixpath.dirname(link), points_to))
    return target, target.startswith(("../", "/")) or target == ".."


def wanted(path: str) -> bool:
    """Whether the loader reads this repo path: the settings file or a file under projects/."""
    return path == SETTINGS_FILE or path.startswith(f"{PROJECTS_DIR}/")


class RepoSource(Protocol):
    def entries(self) -> list[Entry]:
        """``stackgate.yaml`` (if present) and every file below ``projects/``, sorted by path."""
        ...

    def read(self, path: str, limit: int) -> bytes:
        """The file's bytes, at most ``limit`` + 1 of them (so oversize stays detectable)."""
        ...


class DirectorySource:
    """A checkout on disk; symlinks are followed only while they stay inside the repo."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root).resolve()

    def entries(self) -> list[Entry]:
        found: list[Entry] = []
        settings = self.root / SETTINGS_FILE
        if settings.is_file() or settings.is_symlink():
            found.append(self._entry(settings))
        projects = self.root / PROJECTS_DIR
        if projects.is_dir():
            found.extend(self._walk(projects, set()))
        return sorted(found, key=lambda entry: entry.path)

    def read(self, path: str, limit: int) -> bytes:
        with open(self.root / path, "rb") as handle:
            return handle.read(limit + 1)

    def _walk(self, folder: Path, seen: set[Path]) -> list[Entry]:
        real = folder.resolve()
        if real in seen:  # a symlink loop inside the repo
            return []
        seen.add(real)
        found: list[Entry] = []
        for child in sorted(folder.iterdir()):
            if child.name.startswith("."):
                continue
            if child.is_symlink() and not self._inside(child):
                found.append(Entry(self._relative(child), 0, escapes=True))
            elif child.is_dir():
                found.extend(self._walk(child, seen))
            elif child.is_file() or child.is_symlink():  # a broken link is reported when read
                found.append(self._entry(child))
        return found

    def _entry(self, path: Path) -> Entry:
        if path.is_symlink() and not self._inside(path):
            return Entry(self._relative(path), 0, escapes=True)
        try:
            size = path.stat().st_size
        except OSError:
            size = 0
        return Entry(self._relative(path), size)

    def _inside(self, path: Path) -> bool:
        return Path(os.path.realpath(path)).is_relative_to(self.root)

    def _relative(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()


class MemorySource:
    """Files already in memory, keyed by repo-relative path."""

    def __init__(self, files: Mapping[str, bytes]) -> None:
        self.files = dict(files)

    def entries(self) -> list[Entry]:
        return [Entry(path, len(self.files[path])) for path in sorted(filter(wanted, self.files))]

    def read(self, path: str, limit: int) -> bytes:
        return self.files[path][: limit + 1]
