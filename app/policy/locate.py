"""Turn an engine's error into the policy file and line a person can fix."""

from __future__ import annotations

from collections.abc import Sequence

from app.policy.model import PolicyError, PolicyFile


def line_of(source: str, offset: int) -> int:
    return source.count("\n", 0, max(offset, 0)) + 1


def _repo_first(modules: Sequence[PolicyFile]) -> list[PolicyFile]:
    """The repo's own modules first: the likelier culprits (the platform's are judged alone too)."""
    return sorted(modules, key=lambda module: not module.name.startswith("repo:"))


def unlocated(modules: Sequence[PolicyFile], message: str) -> PolicyError:
    """No line to point at: name the files, the repo's own first (the likelier culprits)."""
    ordered = _repo_first(modules)
    names = ", ".join(module.name for module in ordered[:5])
    more = f" and {len(ordered) - 5} more" if len(ordered) > 5 else ""
    return PolicyError(f"{names}{more}" if names else "policies", 0, message)
