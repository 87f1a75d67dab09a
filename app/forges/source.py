"""Repo files at a ref through any Forge, as the loader's RepoSource and as policy texts."""

from __future__ import annotations

from app.forges.base import Forge, TreeFile
from app.spec.sources import Entry, link_target, wanted

POLICIES_DIR = "policies/"


class ForgeSource:
    """The infrastructure files of ``repo`` at ``ref``, read lazily through the forge's API."""

    def __init__(self, forge: Forge, repo: str, ref: str) -> None:
        self.forge, self.repo, self.ref = forge, repo, ref
        self.links: dict[str, str] = {}
        self._tree: list[TreeFile] | None = None

    def files(self) -> list[TreeFile]:
        if self._tree is None:
            self._tree = self.forge.tree(self.repo, self.ref)
        return self._tree

    def entries(self) -> list[Entry]:
        found = []
        for item in self.files():
            if not wanted(item.path):
                continue
            if item.symlink:
                points_to = (self._bytes(item.path) or b"").decode("utf-8", "replace")
                target, escapes = link_target(item.path, points_to)
                self.links[item.path] = target
                found.append(Entry(item.path, 0, escapes))
            else:
                found.append(Entry(item.path, item.size))
        return sorted(found, key=lambda entry: entry.path)

    def read(self, path: str, limit: int) -> bytes:
        data = self._bytes(self.links.get(path, path))
        if data is None:
            raise FileNotFoundError(path)
        return data[: limit + 1]

    def _bytes(self, path: str) -> bytes | None:
        return self.forge.read_file(self.repo, self.ref, path)

    def policies(self) -> dict[str, str]:
        """The repo's own ``policies/`` texts here (read at the base: a PR cannot judge itself)."""
        texts = {}
        for item in self.files():
            if item.path.startswith(POLICIES_DIR) and not item.symlink:
                data = self._bytes(item.path)
                if data is not None:
                    texts[item.path] = data.decode("utf-8", "replace")
        return texts
