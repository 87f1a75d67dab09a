"""JSON Schemas of the repo format, generated from the models, so editors check as people type."""

from __future__ import annotations

import json
from typing import Any, Literal

from pydantic import BaseModel

from app.spec.model import ProjectFile, RepoSettings
from app.spec.validation import EXTENSION_PREFIX

SchemaKind = Literal["project", "settings"]
SCHEMA_FILES: dict[SchemaKind, str] = {
    "project": "schemas/project.schema.json",
    "settings": "schemas/settings.schema.json",
}
_MODELS: dict[SchemaKind, type[BaseModel]] = {"project": ProjectFile, "settings": RepoSettings}
_TITLES: dict[SchemaKind, str] = {
    "project": "stackgate project file (projects/<name>.yaml)",
    "settings": "stackgate repo settings (stackgate.yaml)",
}


def json_schema(kind: SchemaKind) -> dict[str, Any]:
    schema = _MODELS[kind].model_json_schema(mode="validation")
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        **schema,
        "title": _TITLES[kind],
    }
    if kind == "project":
        schema["patternProperties"] = {f"^{EXTENSION_PREFIX}": {}}
    return schema


def render_schema(kind: SchemaKind) -> str:
    """The schema as committed: stable key order and a trailing newline."""
    return json.dumps(json_schema(kind), indent=2, sort_keys=True) + "\n"
