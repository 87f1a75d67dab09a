"""CloudStack names against the repo format's rules: which rule a name breaks, and the valid
key it is written under instead (CloudStack's own name is kept beside it, in a comment)."""

from __future__ import annotations

import re

from app.spec.fields import HOSTNAME_PATTERN, NAME_PATTERN

NAME_RULE = (
    "names are lower-case letters, digits, '.', '_' and '-', at most 63, alphanumeric at both ends"
)
HOSTNAME_RULE = (
    "instance names are host names: letters, digits and '-', at most 63, starting with a letter"
)
_NAME, _HOSTNAME = re.compile(NAME_PATTERN), re.compile(HOSTNAME_PATTERN)


def valid_key(kind: str, name: str) -> tuple[str, str] | None:
    """None when ``name`` is a valid key for ``kind``, else (a key that is, the rule broken)."""
    if kind == "instance":
        if _HOSTNAME.match(name):
            return None
        key = re.sub(r"[^a-zA-Z0-9-]+", "-", name).strip("-")
        key = key if key[:1].isalpha() else f"vm-{key}"
        return key[:63].rstrip("-"), HOSTNAME_RULE
    if _NAME.match(name):
        return None
    key = re.sub(r"[^a-z0-9._-]+", "-", name.lower()).strip("-._")
    return (key[:63].rstrip("-._") or "unnamed"), NAME_RULE


def address_key(address: str) -> str:
    """A key for a public IP, which has no name in CloudStack: its address."""
    return "ip-" + address.replace(".", "-").replace(":", "-")
