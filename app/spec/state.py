"""The desired state of a whole repo: merged projects, and where each part of them was written."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from app.spec.diagnostics import Diagnostic, Location, has_errors
from app.spec.model import Project, RepoSettings
from app.spec.yamltree import YamlDocument, YamlPath


@dataclass(frozen=True, slots=True)
class Origin:
    """One entry of a merged project: the file and the YAML path it was read from."""

    file: str
    doc: YamlDocument
    path: YamlPath


@dataclass
class SourceMap:
    """Finds file:line:column of any part of a project, e.g. ``("instances", "web-1", "zone")``.

    Keys are ``(project,)`` for the project's first file, ``(project, setting)`` and
    ``(project, section, name-or-index)``; deeper paths are looked up in that entry's file.
    Filled once by the loader, read-only afterwards.
    """

    origins: dict[tuple[str | int, ...], Origin] = field(default_factory=dict)

    def add(self, key: tuple[str | int, ...], origin: Origin) -> None:
        self.origins.setdefault(key, origin)

    def where(self, project: str, *path: str | int, key: bool = False) -> Location:
        """``key``: where the entry at ``path`` starts, also one nested in another (a tier)."""
        for depth in (2, 1, 0):
            origin = self.origins.get((project, *path[:depth]))
            if origin is not None:
                inner = (*origin.path, *path[depth:])
                # an entry itself is where its key is; a field inside it, where its value is
                at = origin.doc.value_at if path[depth:] and not key else origin.doc.key_at
                line, column = at(inner)
                return Location(origin.file, line, column)
        return Location("projects")


@dataclass(frozen=True)
class DesiredState:
    """What the repo asks for; ``diagnostics`` says what is wrong with it."""

    settings: RepoSettings
    projects: Mapping[str, Project]
    sources: SourceMap
    diagnostics: tuple[Diagnostic, ...]

    @property
    def ok(self) -> bool:
        return not has_errors(self.diagnostics)

    @property
    def errors(self) -> tuple[Diagnostic, ...]:
        return tuple(d for d in self.diagnostics if d.is_error)

    @property
    def warnings(self) -> tuple[Diagnostic, ...]:
        return tuple(d for d in self.diagnostics if not d.is_error)

    def resource_count(self) -> int:
        return sum(project.resource_count() for project in self.projects.values())
