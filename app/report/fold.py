"""Sizes in the plan comment: the hosts refuse a comment that is too long, so every list in it
shows its first lines and then how many more there are, and every section gets a share."""

from __future__ import annotations

from collections.abc import Callable, Sequence

MAX_LINE = 500  # one problem, finding or need: a policy may write a message of any length
_FOLD_NUMBERS = 24  # room for the counts a fold line is filled in with
_CUT = "\n_… the rest did not fit in the comment._\n"

Section = Callable[[int], str]  # given its room in characters, a section that fits in it


def clip(text: str, most: int = MAX_LINE) -> str:
    """``text``, on at most ``most`` characters."""
    return text if len(text) <= most else text[: most - 1] + "…"


def fitting(lines: Sequence[str], most: int, room: int) -> list[str]:
    """The first lines, clipped: at most ``most`` of them, as many as fit in ``room``
    characters with a newline each."""
    shown: list[str] = []
    for line in map(clip, lines[:most]):
        room -= len(line) + 1
        if room < 0:
            break
        shown.append(line)
    return shown


def folded(lines: Sequence[str], most: int, room: int, rest: str) -> list[str]:
    """``fitting`` lines, then ``rest`` (with ``{hidden}`` and ``{total}`` filled in) when some
    are left out, all within ``room``."""
    shown = fitting(lines, most, room - len(rest) - _FOLD_NUMBERS)
    hidden = len(lines) - len(shown)
    return [*shown, rest.format(hidden=hidden, total=len(lines))] if hidden else shown


def cut(text: str, room: int) -> str:
    """``text`` when it fits in ``room`` characters, else its whole lines that do and a note."""
    if len(text) <= room:
        return text
    end = text.rfind("\n", 0, max(0, room - len(_CUT)))
    return text[: end + 1] + _CUT


def shared(room: int, sections: Sequence[tuple[int, Section]]) -> list[str]:
    """Each section, by weight, its share of the room the ones before it left; sections are
    joined by one newline, counted here."""
    weights = sum(weight for weight, _ in sections)
    out = []
    for weight, section in sections:
        text = section(room * weight // weights)
        out.append(text)
        room -= (len(text) + 1) if text else 0
        weights -= weight
    return out
