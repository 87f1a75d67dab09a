"""Turn an engine's error into the policy file and line a person can fix."""

from __future__ import annotations

import re
from collections.abc import Sequence

from app.policy.model import PolicyError, PolicyFile

_COMPLETE_RULE = re.compile(r"^([A-Za-z_]\w*)\s*:?=", re.MULTILINE)
_PACKAGE = re.compile(r"^package\s+([\w.]+)", re.MULTILINE)
_NOT_CODE = re.compile(r'"(?:[^"\\\n]|\\.)*"|`[^`]*`|#[^\n]*')
_NAMED = re.compile(r"^([a-z_][\w.]*):")

# The start of rego-cpp's messages that name no built-in, and the built-ins (or operators)
# that say them.
_SAID_BY = (
    ("invalid syntax", ("to_number",)),
    ("divide by zero", ("/",)),
    ("modulo by zero", ("%",)),
    ("failed to parse JSON", ("json.unmarshal",)),
    ("Not a number", ("abs", "round", "ceil", "floor")),
    ("negative offset", ("substring",)),
    ("Input is not valid base64-encoded data", ("base64.decode",)),
    ("operand 1 must be one of {array, object, set, string}", ("count",)),
)


def line_of(source: str, offset: int) -> int:
    return source.count("\n", 0, max(offset, 0)) + 1


def _code(source: str) -> str:
    """The source with its strings and comments blanked out, every offset kept."""
    return _NOT_CODE.sub(lambda m: re.sub(r"[^\n]", " ", m[0]), source)


def _repo_first(modules: Sequence[PolicyFile]) -> list[PolicyFile]:
    """The repo's own modules first: the likelier culprits (the platform's are judged alone too)."""
    return sorted(modules, key=lambda module: not module.name.startswith("repo:"))


def find_call(modules: Sequence[PolicyFile], function: str, message: str) -> PolicyError | None:
    """Where ``function`` (a name, or an operator such as ``/``) is first used in code."""
    name = function[:1].isalpha() or function.startswith("_")
    pattern = re.compile(rf"(?<![\w.]){re.escape(function)}\s*\(" if name else re.escape(function))
    for module in _repo_first(modules):
        found = pattern.search(_code(module.source))
        if found:
            return PolicyError(module.name, line_of(module.source, found.start()), message)
    return None


def find_builtin(modules: Sequence[PolicyFile], message: str) -> PolicyError | None:
    """Where the built-in behind a run-time error is called, when the engine did not say."""
    named = _NAMED.match(message)
    implied = next((names for start, names in _SAID_BY if message.startswith(start)), ())
    for function in (named[1],) if named else implied:
        said = message if named or not function[:1].isalpha() else f"{function}: {message}"
        found = find_call(modules, function, said)
        if found:
            return found
    return None


def find_conflict(modules: Sequence[PolicyFile]) -> PolicyError | None:
    """A value defined more than once in one package: the usual cause of a conflict at run time."""
    seen: dict[tuple[str, str], PolicyFile] = {}
    for module in modules:
        package = _PACKAGE.search(module.source)
        for match in _COMPLETE_RULE.finditer(module.source):
            key = (package[1] if package else "", match[1])
            if key in seen and match[1] != "default":
                first = seen[key].name
                message = f"'{match[1]}' is defined again (first in {first}); their values conflict"
                return PolicyError(module.name, line_of(module.source, match.start()), message)
            seen.setdefault(key, module)
    return None


def unlocated(modules: Sequence[PolicyFile], message: str) -> PolicyError:
    """No line to point at: name the files, the repo's own first (the likelier culprits)."""
    ordered = _repo_first(modules)
    names = ", ".join(module.name for module in ordered[:5])
    more = f" and {len(ordered) - 5} more" if len(ordered) > 5 else ""
    return PolicyError(f"{names}{more}" if names else "policies", 0, message)
