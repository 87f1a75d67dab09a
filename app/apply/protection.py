"""What is protected is never destroyed, whichever path handed the plan to apply.

Policies deny such a plan first; this is the last word, inside apply itself, so a merge, a
`/stackgate apply`, a heal or a CLI run that skipped or misjudged the policies still cannot
delete or replace an object whose live tags (``stackgate.protected``) say it is protected.
"""

from __future__ import annotations

from collections.abc import Iterable

from app.plan.model import Change


def protected(change: Change) -> bool:
    """Destroys a live object marked protected (the change's flag or its live view says so)."""
    return change.destructive and (change.protected or bool((change.before or {}).get("protected")))


def refusal(change: Change) -> str:
    """The step's error: why it was not sent, and the way to do it on purpose."""
    return (
        f"refused: {change.address} is protected and stackgate never deletes or replaces a "
        "protected object; to destroy it, first remove `protected` from it (or its project) "
        "in a change of its own"
    )


def held_back(guarded: Iterable[Change]) -> str:
    """The error of every other step of a refused run: nothing of it runs."""
    named = "; ".join(f"{change.address} is protected" for change in guarded)
    return f"not run: the run was refused ({named})"
