"""The tags that make an object stackgate's, written exactly as the inventory reads them back.

createTags refuses a key the object already has, so tags are compared with the object's
current ones first: a finish that runs again after a restart writes nothing twice. Only the
tags stackgate owns are ever removed (its ``stackgate.*`` tags and the labels it recorded in
``stackgate.labels``); another tool's tags on the same object stay.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from app.apply.operations.base import Context
from app.cloudstack.catalog import tag_map
from app.cloudstack.errors import ApiError, CloudStackError
from app.cloudstack.inventory import (
    OWN_PREFIX,
    PROTECTED_RECORD,
    TAG_COMMIT,
    TAG_KEY,
    TAG_LABELS,
    TAG_PROTECTED,
    TAG_REPO,
    label_keys,
)
from app.plan.model import Change


def wanted_tags(
    ctx: Context, change: Change, extra: Mapping[str, str | None] | None = None
) -> dict[str, str]:
    """Labels, then stackgate's own tags with the record of the label keys; empty values are
    left out (CloudStack refuses them), so an object without labels carries no record."""
    after = change.after or {}
    labels: Mapping[str, str] = after.get("labels", {})
    tags: dict[str, str | None] = {
        **labels,
        TAG_LABELS: ",".join(sorted(labels)),
        TAG_REPO: ctx.repo,
        TAG_KEY: f"{change.kind}/{change.name}",
        TAG_COMMIT: ctx.commit,
        TAG_PROTECTED: "true" if after.get("protected") else None,
        **(extra or {}),
    }
    return {key: value for key, value in tags.items() if value}


def sync_tags(
    ctx: Context,
    resource_type: str,
    resource_id: str,
    current: Mapping[str, str],
    wanted: Mapping[str, str],
) -> None:
    """Make ``current`` into ``wanted``: changed values are deleted and written again, and
    tags stackgate owns that are no longer wanted go; every other tag stays. Both calls are
    async; they are awaited here, inside ``finish``."""
    recorded = label_keys(current) or frozenset()
    stale = {
        key: value
        for key, value in current.items()
        if wanted.get(key) != value
        and (key in wanted or key in recorded or key.startswith(OWN_PREFIX))
    }
    missing = {key: value for key, value in wanted.items() if current.get(key) != value}
    target = {"resourcetype": resource_type, "resourceids": resource_id}
    if stale:
        ctx.client.run("deleteTags", **target, tags=_pairs(stale))
    if not missing:
        return
    try:
        ctx.client.run("createTags", **target, tags=_pairs(missing))
    except ApiError:
        # A process that died mid-finish may have left a createTags job running; it wrote
        # some of these keys meanwhile. Read what is there now and write only the rest.
        now = _listed(ctx, resource_type, resource_id)
        rest = {key: value for key, value in wanted.items() if now.get(key) != value}
        if any(key in now for key in rest):
            raise
        if rest:
            ctx.client.run("createTags", **target, tags=_pairs(rest))


def send_tags(
    ctx: Context, resource_type: str, resource_id: str, tags: Mapping[str, str]
) -> str | None:
    """Start a createTags job without awaiting it (beside a deploy's job): its id, or None
    when it could not be sent. ``settle`` awaits it; ``sync_tags`` then writes what is left."""
    try:
        answer = ctx.client.request(
            "createTags", resourcetype=resource_type, resourceids=resource_id, tags=_pairs(tags)
        )
    except CloudStackError:
        return None
    job = answer.get("jobid")
    return str(job) if job else None


def settle(ctx: Context, jobs: Iterable[str]) -> None:
    """Await jobs sent by ``send_tags``; one that failed is not an error here, since the
    ``sync_tags`` that follows compares with what the object carries and writes the rest."""
    for job in jobs:
        try:
            ctx.client.wait("createTags", job)
        except CloudStackError:
            continue


def project_tags(ctx: Context) -> dict[str, str]:
    rows = ctx.client.list("listProjects", id=ctx.project_id)
    return tag_map(rows[0]) if rows else {}


def protection_tag(tag: str) -> str:
    """The project tag that marks the object of record ``tag`` protected, where its own
    ``stackgate.protected`` tag would be (``stackgate.protected.kubernetes.<name>``)."""
    return PROTECTED_RECORD + tag.removeprefix(OWN_PREFIX)


def record(ctx: Context, tag: str, ours: bool, protected: bool = False) -> None:
    """Add or remove the project's record of an object that takes no tags of its own (a key
    pair, an affinity group, a cluster): ``tag`` with the repo as value, and its protection
    mark when it is protected; the project's other tags stay."""
    mark = protection_tag(tag)
    current = {k: v for k, v in project_tags(ctx).items() if k in (tag, mark)}
    wanted = {tag: ctx.repo, mark: "true" if protected else ""} if ours else {}
    sync_tags(ctx, "Project", ctx.project_id, current, {k: v for k, v in wanted.items() if v})


def _listed(ctx: Context, resource_type: str, resource_id: str) -> dict[str, str]:
    scope = {} if resource_type == "Project" else {"projectid": ctx.project_id}
    rows = ctx.client.list(
        "listTags", resourcetype=resource_type, resourceid=resource_id, listall=True, **scope
    )
    return {str(row["key"]): str(row["value"]) for row in rows}


def _pairs(tags: Mapping[str, str]) -> list[dict[str, str]]:
    return [{"key": key, "value": value} for key, value in sorted(tags.items())]
