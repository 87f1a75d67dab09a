"""Validate YAML data against a model and say what is wrong in the words of the repo format.

A file with a bad entry still yields a model of its good entries, so that problems elsewhere
(cross-file duplicates, references) are found in the same run instead of one at a time.
"""

from __future__ import annotations

import datetime
import difflib
import types
from dataclasses import dataclass, field
from typing import Annotated, Any, Generic, TypeVar, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from app.spec.diagnostics import Code, Diagnostic, Location, did_you_mean, error
from app.spec.model import RESOURCE_SECTIONS
from app.spec.yamltree import YamlDocument, YamlPath

M = TypeVar("M", bound=BaseModel)
EXTENSION_PREFIX = "x-"

_EXPECTED = {
    "string_type": "text",
    "int_type": "a whole number",
    "int_from_float": "a whole number",
    "float_type": "a number",
    "bool_type": "true or false",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
    "list_type": "a list",
}


@dataclass(frozen=True)
class Validated(Generic[M]):
    """A model of the valid part of a file and, per list section, the YAML index of each item."""

    model: M | None
    diagnostics: list[Diagnostic]
    list_origins: dict[str, list[int]] = field(default_factory=dict)
    dropped: set[YamlPath] = field(default_factory=set)


def validate(model: type[M], doc: YamlDocument, file: str) -> Validated[M]:
    """Validate a mapping document; top-level ``x-`` keys are free for anchors and notes."""
    data = {k: v for k, v in doc.data.items() if not k.startswith(EXTENSION_PREFIX)}
    try:
        return Validated(model.model_validate(data), [])
    except ValidationError as exc:
        errors = exc.errors()
    diagnostics = [_diagnostic(model, err, doc, file) for err in _without_echoes(model, errors)]
    dropped = {_entry_path(err["loc"]) for err in errors}
    pruned, origins = _prune(data, dropped)
    try:
        return Validated(model.model_validate(pruned), diagnostics, origins, dropped)
    except ValidationError:  # pragma: no cover - pruning removes every failing entry
        return Validated(None, diagnostics, {}, dropped)


def _without_echoes(model: type[BaseModel], errors: list[ErrorDetails]) -> list[ErrorDetails]:
    """Drop 'missing X' where an unknown field beside it misspells X: one typo, one line."""
    misspelt = set()
    for err in errors:
        if err["type"] == "extra_forbidden":
            loc = err["loc"]
            close = difflib.get_close_matches(str(loc[-1]), _fields_at(model, loc), n=1, cutoff=0.6)
            misspelt |= {(*loc[:-1], name) for name in close}
    return [e for e in errors if not (e["type"] == "missing" and e["loc"] in misspelt)]


def _entry_path(loc: tuple[int | str, ...]) -> YamlPath:
    """The smallest part of a file to set aside when something inside it is invalid."""
    if len(loc) >= 2 and loc[0] in RESOURCE_SECTIONS:
        return (loc[0], loc[1])
    return loc[:1]


def _prune(
    data: dict[str, Any], dropped: set[YamlPath]
) -> tuple[dict[str, Any], dict[str, list[int]]]:
    pruned = dict(data)
    origins: dict[str, list[int]] = {}
    for path in dropped:
        if len(path) == 1:
            pruned.pop(str(path[0]), None)
    for section in {str(path[0]) for path in dropped if len(path) == 2}:
        value = pruned.get(section)
        gone = {path[1] for path in dropped if len(path) == 2 and path[0] == section}
        if isinstance(value, dict):
            pruned[section] = {k: v for k, v in value.items() if k not in gone}
        elif isinstance(value, list):
            origins[section] = [i for i in range(len(value)) if i not in gone]
            pruned[section] = [value[i] for i in origins[section]]
    return pruned, origins


def _diagnostic(
    model: type[BaseModel], err: ErrorDetails, doc: YamlDocument, file: str
) -> Diagnostic:
    loc = tuple(part for part in err["loc"] if part != "[key]")
    kind, value = err["type"], err.get("input")
    name = next((str(part) for part in reversed(loc) if isinstance(part, str)), "value")
    ctx = err.get("ctx") or {}
    at_value = Location(file, *doc.value_at(loc))
    if kind == "extra_forbidden":
        hint = did_you_mean(name, _fields_at(model, loc)) or _allowed(model, loc)
        return error(
            Code.UNKNOWN_FIELD, f"unknown field '{name}'", Location(file, *doc.key_at(loc)), hint
        )
    if kind == "missing":
        where = Location(file, *doc.key_at(loc[:-1])) if loc[:-1] else Location(file, 1, 1)
        return error(Code.MISSING_FIELD, f"missing required field '{name}'", where)
    if kind in ("bad_size", "bad_value"):
        code = Code.BAD_SIZE if kind == "bad_size" else Code.BAD_VALUE
        return error(code, f"{name}: {err['msg']}", at_value, str(ctx.get("hint", "")))
    if kind == "literal_error":
        options = [
            o.strip(" '") for o in str(ctx.get("expected", "")).replace(" or ", ", ").split(",")
        ]
        hint = did_you_mean(str(value), options) or f"use one of: {', '.join(options)}"
        return error(Code.BAD_VALUE, f"{name}: '{value}' is not allowed", at_value, hint)
    if kind in _EXPECTED:
        expected = _EXPECTED[kind]
        message = f"{name} must be {expected}, not {_yaml_kind(value)}"
        return error(Code.WRONG_TYPE, message, at_value, _type_hint(expected, value))
    return error(Code.BAD_VALUE, f"{name}: {err['msg']}", at_value)


def _yaml_kind(value: object) -> str:
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, datetime.date):
        return "a date"
    if isinstance(value, str):
        return f"the text '{value}'" if len(value) <= 40 else "text"
    if isinstance(value, list):
        return "a list"
    return "a mapping" if isinstance(value, dict) else type(value).__name__


def _type_hint(expected: str, value: object) -> str:
    if expected == "text" and isinstance(value, int | float | bool | datetime.date):
        return f'quote it: "{value}"'
    if expected == "a list" and isinstance(value, str):
        return f"write it as a list: [{value}]"
    if expected == "a mapping" and value is None:
        return "write {} or remove the key"
    return ""


def _allowed(model: type[BaseModel], loc: tuple[int | str, ...]) -> str:
    fields = _fields_at(model, loc)
    return f"allowed: {', '.join(fields)}" if fields else ""


def _fields_at(model: type[BaseModel], loc: tuple[int | str, ...]) -> list[str]:
    """Field names allowed beside the last element of ``loc``."""
    current: Any = model
    for part in loc[:-1]:
        current = _step(current, part)
        if current is None:
            return []
    return list(current.model_fields) if _is_model(current) else []


def _step(annotation: Any, part: int | str) -> Any:
    if _is_model(annotation):
        info = annotation.model_fields.get(part) if isinstance(part, str) else None
        return _unwrap(info.annotation) if info else None
    if get_origin(annotation) in (dict, list):
        return _unwrap(get_args(annotation)[-1])
    return None


def _unwrap(annotation: Any) -> Any:
    while True:
        origin = get_origin(annotation)
        if origin is Annotated:
            annotation = get_args(annotation)[0]
        elif origin in (Union, types.UnionType):
            options = [a for a in get_args(annotation) if a is not type(None)]
            annotation = options[0] if len(options) == 1 else annotation
            if len(options) != 1:
                return annotation
        else:
            return annotation


def _is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)
