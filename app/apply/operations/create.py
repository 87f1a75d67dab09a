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
    # parameter → list parameter), which ones the listed object repeats, and the API class
    # CloudStack's job record names (AsyncJobResponse.cmd), so that a resumed apply can tell
    # the object its own request made (app/apply/provenance.py).
    scope: ClassVar[dict[str, str]] = {}
    same: ClassVar[tuple[str, ...]] = ()
    job_class: ClassVar[str] = ""

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
        """Tagged, or for a named kind untagged by its name; a nameless kind's untagged
        object is only ever adopted through its journaled request (``request``)."""
        return find_tagged(ctx, self.kind, change) or find_untagged(ctx, self.kind, change)

    def request(self, ctx: Context, change: Change) -> dict[str, Any] | None:
        """For a nameless kind, journaled before the call: what it asks, as the listed object
        repeats it, and the untagged look-alikes already there (none of them can be its)."""
        if not self.scope:
            return None
        params = self.params(ctx, change)
        match = {k: str(params[k]) for k in (*self.scope, *self.same) if k in params}
        seen = sorted(str(obj["id"]) for obj in self.look_alikes(ctx, match))
        return {"command": self.command, "match": match, "seen": seen}

    def look_alikes(self, ctx: Context, match: dict[str, str]) -> list[dict[str, Any]]:
        """Untagged objects that repeat a request: the ones it may have made (an address
        that became its network's source NAT too: CloudStack makes the first one so)."""
        rows = ctx.client.list(
            self.kind.list_command,
            projectid=ctx.project_id,
            **{listed: match[given] for given, listed in self.scope.items() if given in match},
            **self.kind.list_params,
        )
        return [
            listed
            for listed in rows
            if TAG_KEY not in tag_map(listed)
            and all(str(listed.get(k)) == v for k, v in match.items() if k in self.same)
        ]
