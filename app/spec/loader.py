"""Read an infrastructure repo into a DesiredState; every problem is a diagnostic, not a crash."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

from app.spec.addresses import check_addresses
from app.spec.cluster_checks import check_clusters
from app.spec.diagnostics import Code, Diagnostic, Location, error, warning
from app.spec.fields import is_name
from app.spec.merge import Merger, ProjectFileRead
from app.spec.model import ProjectFile, RepoSettings
from app.spec.references import check_references
from app.spec.sources import PROJECTS_DIR, SETTINGS_FILE, DirectorySource, Entry, RepoSource
from app.spec.state import DesiredState
from app.spec.validation import validate
from app.spec.vpc_checks import check_vpcs
from app.spec.yamltree import YamlDocument, parse_yaml

YAML_SUFFIXES = (".yaml", ".yml")
DEFAULT_MAX_BYTES = 1024 * 1024


def load_repo(root: str | Path) -> DesiredState:
    """Load a checkout on disk."""
    return load_desired_state(DirectorySource(root))


def load_desired_state(source: RepoSource) -> DesiredState:
    entries = source.entries()
    diagnostics: list[Diagnostic] = []
    settings = _load_settings(source, entries, diagnostics)
    merger = Merger(settings)
    project_files = [entry for entry in entries if implied_project(entry.path) or entry.escapes]
    for entry in project_files:
        read = _read_project_file(
            source, entry, settings.max_file_size.mib * 1024 * 1024, diagnostics
        )
        if read is not None:
            merger.add(read)
    projects = merger.projects()
    diagnostics += merger.diagnostics
    for project, dropped in projects.values():
        diagnostics += check_references(project, dropped, merger.sources)
        diagnostics += check_vpcs(project, merger.sources)
        diagnostics += check_addresses(project, merger.sources)
        diagnostics += check_clusters(project, merger.sources)
    if not project_files:
        diagnostics.append(
            warning(
                Code.NO_PROJECTS,
                "no project files found",
                Location(PROJECTS_DIR),
                "add projects/<name>.yaml",
            )
        )
    return DesiredState(
        settings=settings,
        projects={name: project for name, (project, _) in projects.items()},
        sources=merger.sources,
        diagnostics=tuple(sorted(diagnostics, key=Diagnostic.sort_key)),
    )


def implied_project(path: str) -> str:
    """The project a file under projects/ belongs to unless it says otherwise ('' if none)."""
    parts = PurePosixPath(path).parts
    if len(parts) < 2 or parts[0] != PROJECTS_DIR or not path.endswith(YAML_SUFFIXES):
        return ""
    return PurePosixPath(parts[1]).stem if len(parts) == 2 else parts[1]


def _load_settings(source: RepoSource, entries: list[Entry], out: list[Diagnostic]) -> RepoSettings:
    entry = next((e for e in entries if e.path == SETTINGS_FILE), None)
    doc = _read_yaml(source, entry, DEFAULT_MAX_BYTES, out) if entry else None
    if doc is None:
        return RepoSettings()
    result = validate(RepoSettings, doc, SETTINGS_FILE)
    out += result.diagnostics
    return result.model or RepoSettings()


def _read_project_file(
    source: RepoSource, entry: Entry, max_bytes: int, out: list[Diagnostic]
) -> ProjectFileRead | None:
    doc = _read_yaml(source, entry, max_bytes, out)
    if doc is None:
        return None
    result = validate(ProjectFile, doc, entry.path)
    out += result.diagnostics
    implied = implied_project(entry.path)
    if (
        result.model is not None
        and result.model.project is None
        and ("project",) not in result.dropped
    ):
        bad = _bad_implied_name(implied, entry.path)
        if bad:
            out.append(bad)
    return ProjectFileRead(entry.path, implied, doc, result)


def _bad_implied_name(name: str, path: str) -> Diagnostic | None:
    if is_name(name):
        return None
    return error(
        Code.BAD_VALUE,
        f"'{name}' from the file name is not a valid project name",
        Location(path, 1, 1),
        "rename the file or set 'project:' in it",
    )


def _read_yaml(
    source: RepoSource, entry: Entry, max_bytes: int, out: list[Diagnostic]
) -> YamlDocument | None:
    """Bytes → YAML document, refusing what is unsafe or unreadable before parsing it."""
    where = Location(entry.path)
    if entry.escapes:
        out.append(
            error(
                Code.SYMLINK_OUTSIDE,
                "symlink points outside the repo",
                where,
                "replace it with a real file",
            )
        )
        return None
    if entry.size > max_bytes:
        out.append(_too_large(entry.path, entry.size, max_bytes))
        return None
    try:
        raw = source.read(entry.path, max_bytes)
    except OSError as exc:
        out.append(error(Code.UNREADABLE, f"cannot read file: {exc.strerror or exc}", where))
        return None
    if len(raw) > max_bytes:  # grew since it was listed
        out.append(_too_large(entry.path, len(raw), max_bytes))
        return None
    text = _decode(raw, entry.path, out)
    if text is None:
        return None
    doc, problems = parse_yaml(text, entry.path)
    out += problems
    if doc is None:
        return None
    if doc.data is None:
        out.append(
            error(
                Code.EMPTY_FILE,
                "file is empty",
                Location(entry.path, 1, 1),
                "add content or delete the file",
            )
        )
        return None
    if not isinstance(doc.data, dict):
        out.append(
            error(
                Code.NOT_A_MAPPING,
                "top level must be a mapping of fields (key: value)",
                Location(entry.path, *doc.value_at(())),
                "start with e.g. 'project: <name>'",
            )
        )
        return None
    return doc


def _too_large(path: str, size: int, limit: int) -> Diagnostic:
    return error(
        Code.FILE_TOO_LARGE,
        f"file is {size:,} bytes, over the limit of {limit:,}",
        Location(path),
        "split the project into a folder of smaller files",
    )


def _decode(raw: bytes, path: str, out: list[Diagnostic]) -> str | None:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        out.append(
            error(
                Code.NOT_UTF8,
                f"byte 0x{raw[exc.start]:02x} is not valid UTF-8",
                Location(path, line, column),
                "save the file as UTF-8",
            )
        )
        return None
