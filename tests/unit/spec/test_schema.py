"""The committed JSON Schemas match the models, and accept exactly what the loader accepts."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from ruamel.yaml import YAML

from app.spec.schema import SCHEMA_FILES, SchemaKind, json_schema, render_schema

ROOT = Path(__file__).parents[3]
EXAMPLE = ROOT / "examples" / "infra"


@pytest.mark.parametrize("kind", sorted(SCHEMA_FILES))
def test_committed_schema_is_current(kind: SchemaKind) -> None:
    committed = (ROOT / SCHEMA_FILES[kind]).read_text(encoding="utf-8")
    assert committed == render_schema(kind), "run `make schemas` and commit the result"


def _validator(kind: SchemaKind) -> jsonschema.Draft202012Validator:
    schema = json_schema(kind)
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


@pytest.mark.parametrize("path", sorted((EXAMPLE / "projects").rglob("*.yaml")), ids=str)
def test_example_project_files_satisfy_the_schema(path: Path) -> None:
    data = json.loads(json.dumps(YAML(typ="safe").load(path)))
    assert list(_validator("project").iter_errors(data)) == []


def test_schema_rejects_what_the_loader_rejects() -> None:
    validator = _validator("project")
    bad = {"instances": {"web-1": {"ofering": "small", "template": "t", "networks": ["n"]}}}
    assert not validator.is_valid(bad)
    assert not validator.is_valid({"limits": {"memory": "128GB"}})


def test_settings_schema_accepts_the_example() -> None:
    data = YAML(typ="safe").load(EXAMPLE / "stackgate.yaml")
    assert list(_validator("settings").iter_errors(data)) == []
