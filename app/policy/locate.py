"""Turn an engine's error into the policy file and line a person can fix."""

from __future__ import annotations

import re
from collections.abc import Sequence

from app.policy.model import PolicyError, PolicyFile

_CALL = re.compile(r"\b([A-Za-z_][\w.]*)\s*\(")
_COMPLETE_RULE = re.compile(r"^([A-Za-z_]\w*)\s*:?=", re.MULTILINE)
_PACKAGE = re.compile(r"^package\s+([\w.]+)", re.MULTILINE)


def line_of(source: str, offset: int) -> int:
    return source.count("\n", 0, max(offset, 0)) + 1


def find_call(modules: Sequence[PolicyFile], function: str) -> PolicyError | None:
    """Where ``function(`` is first called (an unknown function names no location itself)."""
    for module in modules:
        for match in _CALL.finditer(module.source):
            if match[1] == function:
                return PolicyError(
                    module.name,
                    line_of(module.source, match.start()),
                    f"unknown function {function}",
                )
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
    ordered = sorted(modules, key=lambda module: not module.name.startswith("repo:"))
    names = ", ".join(module.name for module in ordered[:5])
    more = f" and {len(ordered) - 5} more" if len(ordered) > 5 else ""
    return PolicyError(f"{names}{more}" if names else "policies", 0, message)
