"""Read a `/stackgate <verb> [args]` command out of a comment, the same way on every forge."""

from __future__ import annotations

PREFIX = "/stackgate"


def parse_command(body: str) -> tuple[str, tuple[str, ...]] | None:
    """The verb (lower-case, "help" when absent) and its args, or None when not a command.

    Only the first non-blank line counts, so a comment that merely quotes a command further
    down (or mentions it mid-sentence) never triggers anything.
    """
    for line in body.splitlines():
        words = line.split()
        if not words:
            continue
        if words[0].lower() != PREFIX:
            return None
        if len(words) == 1:
            return "help", ()
        return words[1].lower(), tuple(words[2:])
    return None
