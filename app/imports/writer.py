"""The project file as YAML: deterministic (same cloud, same bytes), a comment at the top for
what was left out, and written whole or not at all (a temporary file, then a rename)."""

from __future__ import annotations

import io
import os
import tempfile
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from app.imports.model import KIND_OF, SECTIONS, ImportedProject

SETTINGS = ("project", "cloud", "domain", "zone", "display_text", "state", "members", "limits")


def _flow(value: Any) -> Any:
    """Rules and short lists on one line each, as the examples write them."""
    if isinstance(value, dict):
        return CommentedMap((key, _flow(value[key])) for key in value)
    if isinstance(value, list):
        seq = CommentedSeq(_flow(item) for item in value)
        if all(not isinstance(item, dict | list) for item in value):
            seq.fa.set_flow_style()
        return seq
    return value


def _rule(entry: dict[str, Any]) -> CommentedMap:
    mapped = CommentedMap((key, _flow(value)) for key, value in entry.items())
    mapped.fa.set_flow_style()
    return mapped


def header(project: ImportedProject) -> str:
    lines = [f"Written by stackgate import from CloudStack project {project.name}."]
    if project.unmodelled:
        lines.append("Not modelled by stackgate (left in the cloud, not described here):")
        lines += [f"  {u.kind} {u.name} (id {u.id})" for u in project.unmodelled]
    if project.renamed:
        lines.append("Written under a valid key (CloudStack's name breaks a rule of the format):")
        lines += [
            f"  {r.kind} '{r.name}' (id {r.id}) as {r.key}: {r.rule}" for r in project.renamed
        ]
    if project.placeholders:
        lines.append("Written with a placeholder to replace (the file validates once it is):")
        lines += [f"  {p.kind} {p.name} (id {p.id}): {p.reason}" for p in project.placeholders]
    # what CloudStack made for an object written here (a cluster's rules) is left to it, as
    # the cluster's nodes are: nothing to act on, so not listed
    skipped = [s for s in project.skipped if not s.owned]
    if skipped:
        lines.append("Not imported (stackgate models the kind, but not this object):")
        lines += [f"  {s.kind} {s.name} (id {s.id}): {s.reason}" for s in skipped]
    if project.unchecked:
        lines.append("Not checked for objects:")
        lines += [f"  {kind}" for kind in project.unchecked]
    return "".join(f"# {line}".rstrip() + "\n" for line in lines)


def render(project: ImportedProject) -> str:
    document = CommentedMap(
        (key, _flow(project.settings[key])) for key in SETTINGS if project.settings.get(key)
    )
    if "members" in document:
        document["members"] = CommentedSeq(_rule(member) for member in project.settings["members"])
    renamed = {(r.kind, r.key): r.name for r in project.renamed}
    for section in SECTIONS:
        value = project.sections.get(section)
        if not value:
            continue
        if isinstance(value, list):
            document[section] = CommentedSeq(_rule(entry) for entry in value)
            continue
        entries = document[section] = CommentedMap(
            (key, _flow(value[key])) for key in sorted(value)
        )
        for key in entries:
            if (KIND_OF[section], key) in renamed:
                entries.yaml_add_eol_comment(
                    f"CloudStack name: {renamed[KIND_OF[section], key]}", key
                )
    yaml = YAML()
    yaml.width = 4096  # one rule per line, however long
    yaml.indent(mapping=2, sequence=4, offset=2)
    out = io.StringIO()
    yaml.dump(document, out)
    return header(project) + out.getvalue()


def write_atomically(path: Path, text: str) -> None:
    """The whole file appears at once, or the old one stays: a temporary file, then rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
