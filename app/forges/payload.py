"""Read the few fields an event needs out of a webhook's JSON, naming any that is wrong.

A signed delivery can still be malformed (a broken proxy, a replayed test payload, a forge
bug); the sender is told which field and what was expected, in words, never Python's.
"""

from __future__ import annotations

from typing import Any

LONGEST_NAME = 255  # repos, users, actions: what the store keeps
LONGEST_TEXT = 1_048_576  # a comment body; the hosts keep far less
LARGEST_NUMBER = 2**31 - 1  # pull request numbers: a 32-bit column
LARGEST_ID = 2**63 - 1  # comment ids: a 64-bit column


class Malformed(ValueError):
    """A field the event needs is missing or of the wrong shape; the message is for a person."""


def _what(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    return "an array" if isinstance(value, list) else "an object"


def _at(data: dict[str, Any], path: tuple[str, ...]) -> tuple[Any, bool]:
    """The value at ``path`` and whether it is there at all."""
    value: Any = data
    for key in path:
        if not isinstance(value, dict) or key not in value:
            return None, False
        value = value[key]
    return value, True


def _wrong(path: tuple[str, ...], expected: str, value: Any, present: bool) -> Malformed:
    got = f"got {_what(value)}" if present else "it is missing"
    return Malformed(f"field {'.'.join(path)}: expected {expected}, {got}")


def mapping(data: dict[str, Any], *path: str) -> dict[str, Any]:
    """The JSON object at ``path``."""
    value, present = _at(data, path)
    if not isinstance(value, dict):
        raise _wrong(path, "an object", value, present)
    return value


def text(data: dict[str, Any], *path: str, longest: int = LONGEST_NAME) -> str:
    """The string at ``path``: at most ``longest`` characters, storable anywhere (no NUL, no
    lone surrogate, which JSON's escapes allow and databases refuse)."""
    value, present = _at(data, path)
    expected = f"a string of at most {longest} characters"
    if not isinstance(value, str) or len(value) > longest:
        raise _wrong(path, expected, value, present)
    if "\x00" in value or (not value.isascii() and not _encodable(value)):
        raise Malformed(f"field {'.'.join(path)}: expected text, got a NUL or a lone surrogate")
    return value


def optional_text(data: dict[str, Any], *path: str, longest: int = LONGEST_NAME) -> str | None:
    """Like ``text``, but null or absent is None."""
    value, _present = _at(data, path)
    return None if value is None else text(data, *path, longest=longest)


def number(data: dict[str, Any], *path: str, largest: int = LARGEST_NUMBER) -> int:
    """The whole number from 1 to ``largest`` at ``path``."""
    value, present = _at(data, path)
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= largest:
        raise _wrong(path, f"a whole number from 1 to {largest}", value, present)
    return value


def _encodable(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
