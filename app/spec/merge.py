"""Merge the validated files of a repo into one Project each, catching clashes between files."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from app.spec.diagnostics import Code, Diagnostic, Location, error
from app.spec.fields import ROOT_DOMAIN
from app.spec.model import (
    PROJECT_SETTINGS,
    RESOURCE_SECTIONS,
    Project,
    ProjectFile,
    RepoSettings,
    singular,
)
from app.spec.state import Origin, SourceMap
from app.spec.validation import Validated
from app.spec.yamltree import YamlDocument, YamlPath

DEFAULT_CLOUD = "default"


@dataclass(frozen=True)
class ProjectFileRead:
    """A project file after reading and validation, with the project name its path implies."""

    path: str
    implied_project: str
    doc: YamlDocument
    validated: Validated[ProjectFile]


@dataclass
class _Draft:
    name: str
    files: list[str] = field(default_factory=list)
    settings: dict[str, tuple[Any, Location]] = field(default_factory=dict)
    sections: dict[str, Any] = field(default_factory=dict)
    dropped: set[YamlPath] = field(default_factory=set)


@dataclass
class Merger:
    repo: RepoSettings
    sources: SourceMap = field(default_factory=SourceMap)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    drafts: dict[str, _Draft] = field(default_factory=dict)

    def add(self, read: ProjectFileRead) -> None:
        model = read.validated.model
        if model is None:  # pragma: no cover - validation always keeps the valid part
            return
        name = model.project or read.implied_project
        draft = self.drafts.setdefault(name, _Draft(name))
        draft.files.append(read.path)
        draft.dropped |= read.validated.dropped
        self.sources.add((name,), Origin(read.path, read.doc, ()))
        for setting in PROJECT_SETTINGS:
            self._add_setting(draft, read, setting, getattr(model, setting))
        for section in RESOURCE_SECTIONS:
            self._add_section(draft, read, section, getattr(model, section))

    def _add_setting(self, draft: _Draft, read: ProjectFileRead, setting: str, value: Any) -> None:
        if value is None:
            return
        here = Location(read.path, *read.doc.key_at((setting,)))
        if setting not in draft.settings:
            draft.settings[setting] = (value, here)
            self.sources.add((draft.name, setting), Origin(read.path, read.doc, (setting,)))
            return
        first, where = draft.settings[setting]
        if first != value:
            self.diagnostics.append(
                error(
                    Code.PROJECT_CONFLICT,
                    f"project '{draft.name}' sets '{setting}' differently in two files",
                    here,
                    f"it is also set at {where}; keep project settings in one file",
                )
            )

    def _add_section(self, draft: _Draft, read: ProjectFileRead, section: str, value: Any) -> None:
        if isinstance(value, list):
            merged: list[Any] = draft.sections.setdefault(section, [])
            origins = read.validated.list_origins.get(section, range(len(value)))
            for item, yaml_index in zip(value, origins, strict=True):
                key = (draft.name, section, len(merged))
                self.sources.add(key, Origin(read.path, read.doc, (section, yaml_index)))
                merged.append(item)
            return
        entries: dict[str, Any] = draft.sections.setdefault(section, {})
        for name, item in value.items():
            here = Location(read.path, *read.doc.key_at((section, name)))
            if name in entries:
                first = self.sources.where(draft.name, section, name)
                self.diagnostics.append(
                    error(
                        Code.DUPLICATE_NAME,
                        f"{singular(section)} '{name}' is defined twice in project '{draft.name}'",
                        here,
                        f"first defined at {first}; rename one of them",
                    )
                )
                continue
            entries[name] = item
            self.sources.add(
                (draft.name, section, name), Origin(read.path, read.doc, (section, name))
            )

    def projects(self) -> dict[str, tuple[Project, set[YamlPath]]]:
        """Each merged project and the entries set aside as invalid (not to be reported twice)."""
        return {
            name: (self._finish(draft), draft.dropped)
            for name, draft in sorted(self.drafts.items())
        }

    def _finish(self, draft: _Draft) -> Project:
        settings = {key: value for key, (value, _) in draft.settings.items()}
        settings["cloud"] = settings.get("cloud") or self.repo.defaults.cloud or DEFAULT_CLOUD
        settings["domain"] = settings.get("domain") or self.repo.defaults.domain or ROOT_DOMAIN
        settings["zone"] = settings.get("zone") or self.repo.defaults.zone or ""
        if not settings["zone"] and ("zone",) not in draft.dropped:
            self.diagnostics.append(
                error(
                    Code.MISSING_FIELD,
                    f"project '{draft.name}' has no zone",
                    self.sources.where(draft.name),
                    "set 'zone:' in the project or 'defaults.zone' in stackgate.yaml",
                )
            )
        allowed = self.repo.clouds
        if allowed is not None and settings["cloud"] not in allowed:
            self.diagnostics.append(
                error(
                    Code.CLOUD_NOT_ALLOWED,
                    f"cloud '{settings['cloud']}' is not allowed in this repo",
                    self.sources.where(draft.name, "cloud"),
                    f"use one of: {', '.join(allowed)}",
                )
            )
        for listed in ("owners", "members"):
            if listed in settings:
                settings[listed] = tuple(settings[listed])
        return Project.model_construct(
            name=draft.name, files=tuple(draft.files), **settings, **draft.sections
        )
