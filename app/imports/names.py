"""CloudStack names against the repo format's rules: which rule a name breaks, and the key
it would need (the format has no field to carry a CloudStack name that differs from its key)."""

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


def name_problem(kind: str, name: str) -> str | None:
    """None when ``name`` is a valid key for ``kind``, else the rule and a key that would be."""
    if kind == "instance":
        if _HOSTNAME.match(name):
            return None
        rule, key = HOSTNAME_RULE, re.sub(r"[^a-zA-Z0-9-]+", "-", name).strip("-")
        key = key if key[:1].isalpha() else f"vm-{key}"
    else:
        if _NAME.match(name):
            return None
        rule, key = NAME_RULE, re.sub(r"[^a-z0-9._-]+", "-", name.lower()).strip("-._")
    return (
        f"the name breaks the rule: {rule}; a valid key would be '{key[:63]}', but the format "
        "has no field to keep CloudStack's name beside it"
    )


def address_key(address: str) -> str:
    """A key for a public IP, which has no name in CloudStack: its address."""
    return "ip-" + address.replace(".", "-").replace(":", "-")
