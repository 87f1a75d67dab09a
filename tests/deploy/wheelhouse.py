"""Wheels of exactly what a built wheel declares it needs, repacked from the distributions this
virtualenv already has: a fresh virtualenv installs from them offline in seconds, and a module
the code imports but the package does not declare is missing there, as it would be for a user."""

from __future__ import annotations

import base64
import hashlib
import re
import zipfile
from email.parser import Parser
from importlib.metadata import distribution
from pathlib import Path

from packaging.requirements import Requirement


def requirements_of(wheel: Path) -> list[Requirement]:
    """The Requires-Dist lines of a built wheel's METADATA."""
    with zipfile.ZipFile(wheel) as archive:
        name = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        metadata = Parser().parsestr(archive.read(name).decode())
    return [Requirement(line) for line in metadata.get_all("Requires-Dist") or []]


def needed(requirements: list[Requirement], extras: frozenset[str] = frozenset()) -> list[str]:
    """The names of every distribution the requirements pull in, transitively, on this Python."""
    found: set[str] = set()
    expanded: set[tuple[str, frozenset[str]]] = set()
    todo = [(r, extras) for r in requirements]
    while todo:
        requirement, wanted = todo.pop()  # wanted: the extras asked of the one requiring it
        if requirement.marker and not any(
            requirement.marker.evaluate({"extra": extra}) for extra in wanted or {""}
        ):
            continue
        dist = distribution(requirement.name)  # PackageNotFoundError: not in this venv either
        key, more = _normal(dist.metadata["Name"]), frozenset(requirement.extras)
        found.add(key)
        if (key, more) not in expanded:
            expanded.add((key, more))
            todo.extend((Requirement(r), more) for r in dist.requires or [])
    return sorted(found)


def repack(name: str, into: Path) -> Path:
    """A wheel of an installed distribution, from the files its RECORD lists (scripts and
    bytecode left out: the installer makes its own)."""
    dist = distribution(name)
    wheel_info = Parser().parsestr(dist.read_text("WHEEL") or "")
    tags = [str(t) for t in wheel_info.get_all("Tag") or ["py3-none-any"]]
    python, abi, platform = (".".join(sorted({t.split("-")[i] for t in tags})) for i in range(3))
    stem = f"{_normal(dist.metadata['Name'], '_')}-{dist.version}"
    target = into / f"{stem}-{python}-{abi}-{platform}.whl"
    info = next(str(f) for f in dist.files or [] if str(f).endswith(".dist-info/METADATA"))
    info_dir = info.rsplit("/", 1)[0]
    record: list[str] = []
    with zipfile.ZipFile(target, "w", zipfile.ZIP_STORED) as archive:
        for file in dist.files or []:
            path = str(file)
            skipped = ("INSTALLER", "REQUESTED", "RECORD", "direct_url.json")
            if path.startswith("..") or "__pycache__" in path or path.endswith(".pyc"):
                continue
            if path.startswith(f"{info_dir}/") and path.rsplit("/", 1)[1] in skipped:
                continue
            data = Path(str(file.locate())).read_bytes()
            archive.writestr(path, data)
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
            record.append(f"{path},sha256={digest.decode()},{len(data)}")
        record.append(f"{info_dir}/RECORD,,")
        archive.writestr(f"{info_dir}/RECORD", "\n".join(record) + "\n")
    return target


def _normal(name: str, joiner: str = "-") -> str:
    return re.sub(r"[-_.]+", joiner, name).lower()
