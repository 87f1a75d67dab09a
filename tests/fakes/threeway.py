"""A three-way merge of one path, as git makes it: both forge fakes merge what git would.

GitHub's test merge and GitLab's merge ref both refuse when git leaves a conflict; files both
sides changed are merged line by line by git itself.
"""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path
from typing import Literal

Side = tuple[bytes, bool] | None  # a path's bytes and whether it is a symlink; None: absent


def merge_path(base: Side, ours: Side, theirs: Side) -> Side | Literal[False]:
    """One path's merge; False when it conflicts (both changed it, and git cannot merge)."""
    if ours == theirs or theirs == base:
        return ours
    if ours == base:
        return theirs
    if ours is None or theirs is None or ours[1] or theirs[1]:
        return False  # modified on one side, deleted or made a link on the other
    text = _merge_file(base[0] if base else b"", ours[0], theirs[0])
    return False if text is None else (text, False)


def _merge_file(base: bytes, ours: bytes, theirs: bytes) -> bytes | None:
    """git merge-file's line merge; None when it leaves conflict markers."""
    with tempfile.TemporaryDirectory() as folder:
        names = []
        for name, data in (("ours", ours), ("base", base), ("theirs", theirs)):
            (Path(folder) / name).write_bytes(data)
            names.append(str(Path(folder) / name))
        run = subprocess.run(["git", "merge-file", "-p", *names], capture_output=True, check=False)
    return run.stdout if run.returncode == 0 else None
