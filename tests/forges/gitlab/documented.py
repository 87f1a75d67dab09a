"""The GitLab endpoints and answer fields docs/gitlab-api.md lists, read from its table: the
tests hold stackgate's calls and the fake's answers to what an operator is told to check."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gitlab.v4.objects

DOC = Path(__file__).resolve().parents[3] / "docs" / "gitlab-api.md"
METHODS = ("GET", "POST", "PUT", "DELETE")


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str  # as GitLab's docs write it, after /api/v4: /projects/:id/…
    reader: str  # the python-gitlab class its answer becomes, "" for none
    fields: tuple[str, ...]  # what stackgate reads of the answer (of each item of a list)
    page: str  # GitLab's documentation page

    @property
    def pattern(self) -> re.Pattern[str]:
        return re.compile("^/api/v4" + re.sub(r":\w+", "[^/]+", self.path) + "$")

    @property
    def id_attr(self) -> str | None:
        """The attribute python-gitlab identifies the object by (None: no such class or id)."""
        cls = getattr(gitlab.v4.objects, self.reader, None) if self.reader else None
        return getattr(cls, "_id_attr", None)


def endpoints() -> list[Endpoint]:
    found = []
    for line in DOC.read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) != 6 or cells[0] not in METHODS:
            continue
        method, path, _, reader, fields, page = cells
        found.append(
            Endpoint(
                method,
                path.strip("`"),
                reader.strip("`").replace("—", ""),
                tuple(re.findall(r"`([^`]+)`", fields)),
                page,
            )
        )
    return found


def endpoint_of(method: str, raw_path: str) -> Endpoint | None:
    return next((e for e in endpoints() if e.method == method and e.pattern.match(raw_path)), None)


def undocumented(calls: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """The (method, raw path) requests that no row of the table allows."""
    return sorted({call for call in calls if endpoint_of(*call) is None})


def missing_fields(answer: Any, endpoint: Endpoint) -> list[str]:
    """The documented fields (and python-gitlab's id attribute) an answer lacks."""
    items = answer if isinstance(answer, list) else [answer]
    wanted = list(endpoint.fields) + ([endpoint.id_attr] if endpoint.id_attr else [])
    return sorted({path for item in items for path in wanted if _lacks(item, path)})


def _lacks(value: Any, path: str) -> bool:
    """Whether ``path`` (``a.b``, ``a[].b``) is absent; a null on the way ends the check."""
    head, _, rest = path.partition(".")
    key = head.removesuffix("[]")
    if not isinstance(value, dict) or key not in value:
        return True
    found = value[key]
    if not rest or found is None:
        return False
    return any(_lacks(item, rest) for item in (found if head.endswith("[]") else [found]))
