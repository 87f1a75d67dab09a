"""The shape of every create: one call in ``submit``; follow-ups, then tags, in ``finish``.

Tags go last, so an object found by its ``stackgate.key`` tag is complete: attached,
members assigned. Each follow-up checks the object first, so ``finish`` may run again.
"""

from __future__ import annotations

from typing import Any, ClassVar

from app.apply.operations.base import Context, Submitted
from app.apply.operations.common import (
    KINDS,
    Kind,
    Unresolved,
    created_id,
    find_tagged,
    find_untagged,
    row,
    submitted_from,
)
from app.apply.operations.tags import sync_tags, wanted_tags
from app.cloudstack.catalog import tag_map
from app.cloudstack.inventory import TAG_KEY
from app.plan.model import Change


class Create:
    kind_name: ClassVar[str]
    command: ClassVar[str]
    # For kinds without a name: which create parameters also filter the list call (create
    # parameter → list parameter), and which ones the listed object repeats, so an object
    # a crash left untagged is recognised by what it is.
    scope: ClassVar[dict[str, str]] = {}
    same: ClassVar[tuple[str, ...]] = ()

    @property
    def kind(self) -> Kind:
        return KINDS[self.kind_name]

    def params(self, ctx: Context, change: Change) -> dict[str, Any]:
        """The create call's parameters."""
        raise NotImplementedError

    def follow_up(self, ctx: Context, change: Change, obj: dict[str, Any]) -> None:
        """Calls after the create and before the tags (attach, assign); none by default."""

    def tags(self, ctx: Context, change: Change) -> dict[str, str]:
        return wanted_tags(ctx, change)

    def submit(self, ctx: Context, change: Change) -> Submitted:
        answer = ctx.client.request(self.command, **self.params(ctx, change))
        return submitted_from(answer, self.kind.answer_key)

    def finish(
        self, ctx: Context, change: Change, submitted: Submitted, result: dict[str, Any]
    ) -> str | None:
        object_id = created_id(ctx, self.kind, submitted, result, self.command)
        obj = row(ctx, self.kind, object_id)
        if obj is None:
            raise Unresolved(ctx.client.cloud, self.command, f"created {object_id} is not listed")
        self.follow_up(ctx, change, obj)
        sync_tags(ctx, self.kind.resource_type, object_id, tag_map(obj), self.tags(ctx, change))
        return object_id

    def find(self, ctx: Context, change: Change) -> str | None:
        return (
            find_tagged(ctx, self.kind, change)
            or find_untagged(ctx, self.kind, change)
            or self._twin(ctx, change)
        )

    def _twin(self, ctx: Context, change: Change) -> str | None:
        if not self.scope:
            return None
        params = self.params(ctx, change)
        rows = ctx.client.list(
            self.kind.list_command,
            projectid=ctx.project_id,
            **{listed: params[given] for given, listed in self.scope.items()},
            **self.kind.list_params,
        )
        for listed in rows:
            if TAG_KEY in tag_map(listed) or listed.get("issourcenat"):
                continue
            if all(str(listed.get(k)) == str(params[k]) for k in self.same if k in params):
                return str(listed["id"])
        return None
