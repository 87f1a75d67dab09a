"""The git side of the fake's JSON: trees, blobs, file contents and a PR's changed files."""

from __future__ import annotations

import base64
from typing import Any

from tests.fakes.github_state import Commit, Repo, blob_sha

CONTENTS_LIMIT = 1024 * 1024  # above this the contents API leaves the content out


class GitShapes:
    def __init__(self, base_url: str) -> None:
        self.base = base_url

    def file_entry(self, repo: Repo, path: str, status: str, old: str | None, sha: str) -> Any:
        entry = {
            "sha": sha,
            "filename": path,
            "status": status,
            "additions": 1,
            "deletions": 1 if status != "added" else 0,
            "changes": 2 if status != "added" else 1,
            "blob_url": f"https://github.com/{repo.full_name}/blob/{sha}/{path}",
            "raw_url": f"https://github.com/{repo.full_name}/raw/{sha}/{path}",
            "contents_url": f"{self.base}/repos/{repo.full_name}/contents/{path}?ref={sha}",
        }
        if old is not None:
            entry["previous_filename"] = old
        return entry

    def content(self, repo: Repo, path: str, data: bytes, link: bool) -> dict[str, Any]:
        sha = blob_sha(data)
        shaped: dict[str, Any] = {
            "type": "symlink" if link else "file",
            "size": len(data),
            "name": path.rsplit("/", 1)[-1],
            "path": path,
            "sha": sha,
            "url": f"{self.base}/repos/{repo.full_name}/contents/{path}",
            "git_url": f"{self.base}/repos/{repo.full_name}/git/blobs/{sha}",
            "html_url": f"https://github.com/{repo.full_name}/blob/{repo.default_branch}/{path}",
            "download_url": f"https://raw.githubusercontent.com/{repo.full_name}/HEAD/{path}",
        }
        shaped["_links"] = {
            "self": shaped["url"],
            "git": shaped["git_url"],
            "html": shaped["html_url"],
        }
        if link:
            shaped["target"] = data.decode()
        elif len(data) > CONTENTS_LIMIT:
            shaped.update(content="", encoding="none")
        else:
            shaped.update(content=base64.encodebytes(data).decode(), encoding="base64")
        return shaped

    def blob(self, repo: Repo, data: bytes) -> dict[str, Any]:
        sha = blob_sha(data)
        return {
            "sha": sha,
            "node_id": base64.b64encode(f"B_{sha}".encode()).decode(),
            "size": len(data),
            "url": f"{self.base}/repos/{repo.full_name}/git/blobs/{sha}",
            "content": base64.encodebytes(data).decode(),
            "encoding": "base64",
        }

    def tree(self, repo: Repo, commit: Commit, recursive: bool, limit: int | None) -> Any:
        """The git trees answer; over ``limit`` entries it is cut and says truncated."""
        files = commit.files
        dirs = {"/".join(p.split("/")[:i]) for p in files for i in range(1, p.count("/") + 1)}
        entries: list[dict[str, Any]] = [
            {"path": d, "mode": "040000", "type": "tree", "sha": blob_sha(d.encode())} for d in dirs
        ] + [
            {
                "path": path,
                "mode": "120000" if path in commit.links else "100644",
                "type": "blob",
                "sha": blob_sha(data),
                "size": len(data),
            }
            for path, data in files.items()
        ]
        if not recursive:
            entries = [e for e in entries if "/" not in e["path"]]
        entries.sort(key=lambda e: str(e["path"]))
        truncated = limit is not None and len(entries) > limit
        return {
            "sha": commit.sha,
            "url": f"{self.base}/repos/{repo.full_name}/git/trees/{commit.sha}",
            "tree": entries[:limit] if truncated else entries,
            "truncated": truncated,
        }
