"""What an answer of the embedded engine (regorus) means: a value, or a PolicyFailure that
names the file and line to fix."""

from __future__ import annotations

import json
import re
from typing import Any

from app.policy.locate import unlocated
from app.policy.model import PolicyError, PolicyFailure, PolicyFile

# regorus points at the term it stopped on: "--> file:line:column", then "error: message".
_AT = re.compile(r"-->\s*(.+):(\d+):\d+\s*$", re.MULTILINE)
_MESSAGE = re.compile(r"^error:\s*(.+)$", re.MULTILINE)


def value(answer: dict[str, Any], modules: list[PolicyFile]) -> Any:
    """The query's value (None when undefined); raises PolicyFailure for an error."""
    if not answer["ok"]:
        raise PolicyFailure(error(str(answer["text"]), modules))
    results = json.loads(answer["text"]).get("result") or [{}]
    expressions = results[0].get("expressions") or [{}]
    return expressions[0].get("value")


def error(text: str, modules: list[PolicyFile]) -> PolicyError:
    """The file and line regorus names, when it is one of the modules; else the files."""
    text = text.split("Stack backtrace:")[0].strip()
    said = _MESSAGE.search(text)
    message = said[1].strip() if said else (text.splitlines() or ["the policies failed"])[0]
    at = _AT.search(text)
    if at and at[1] in {module.name for module in modules}:
        return PolicyError(at[1], int(at[2]), message)
    return unlocated(modules, message)
