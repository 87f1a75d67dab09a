"""What an answer of the embedded engine (rego-cpp) means: a value, or a PolicyFailure that
names the file and line to fix."""

from __future__ import annotations

import json
import re
from typing import Any

from app.policy.locate import find_builtin, find_call, find_conflict, line_of, unlocated
from app.policy.model import PolicyError, PolicyFailure, PolicyFile

_COMPILE_ERROR = re.compile(r"\(error \d+:([^|]*)\|(\d+)\|\d+\s+\(errormsg \d+:([^)]*)\)")
_RUNTIME_ERROR = re.compile(r"\(errormsg \d+:([^)\n]*)\)")
_NOT_FOUND = re.compile(r"Function not found: ([\w.]+)")
_SOURCE_AT = re.compile(r"\d+:([^|\n]+)\|(\d+)\|\d+:")  # a term from a module: name|offset|length
_CONFLICT = "a rule produced conflicting values"


def value(answer: dict[str, Any], modules: list[PolicyFile]) -> Any:
    """The query's value; raises PolicyFailure for any error the answer carries."""
    if "compile" in answer:
        raise PolicyFailure(compile_error(answer["compile"], modules))
    text = str(answer.get("text", ""))
    if answer["ok"] and text == "undefined":
        return None
    if answer["ok"] and not text.startswith("("):
        expressions = json.loads(text).get("expressions", [None])
        return expressions[0] if expressions else None
    raise PolicyFailure(runtime_error(text, modules))


def runtime_error(text: str, modules: list[PolicyFile]) -> PolicyError:
    """Where a run-time error is: the unknown function's call, the term rego-cpp points at, the
    built-in its message names, or a value defined twice."""
    detail = _RUNTIME_ERROR.search(text)
    message = detail[1] if detail else _CONFLICT
    missing = _NOT_FOUND.search(message)
    if missing:
        return find_call(modules, missing[1], f"unknown function {missing[1]}") or unlocated(
            modules, message
        )
    sources = {module.name: module.source for module in modules}
    for at in _SOURCE_AT.finditer(text):
        if at[1] in sources:
            return PolicyError(at[1], line_of(sources[at[1]], int(at[2])), message)
    located = find_builtin(modules, message) or find_conflict(modules)
    return located or unlocated(modules, message)


def compile_error(text: str, modules: list[PolicyFile]) -> PolicyError:
    found = _COMPILE_ERROR.search(text)
    if not found:
        return unlocated(
            modules, text.strip().splitlines()[0] if text.strip() else "the policies do not compile"
        )
    name, offset, message = found[1], int(found[2]), found[3]
    source = next((m.source for m in modules if m.name == name), "")
    missing = _NOT_FOUND.search(message)
    unknown = find_call(modules, missing[1], f"unknown function {missing[1]}") if missing else None
    return unknown or PolicyError(name, line_of(source, offset), message)
