"""Webhook deliveries the fake GitLab sends, made from GitLab's documented example payloads.

The stored examples (tests/payloads/gitlab, see its README) keep every field GitLab sends;
the fake overwrites the fields that describe its own projects, users and commits, and
derives the actions the docs do not show (update with new commits, close, merge, approval,
leaving draft, fork) the way GitLab's hook data builder fills them.
"""

from __future__ import annotations

import copy
import json
import uuid
import zlib
from functools import cache
from pathlib import Path
from typing import Any

from tests.fakes.base import Delivery
from tests.fakes.gitlab_json import WEB
from tests.fakes.gitlab_state import MergeRequest, Note, Project, User, World

PAYLOADS = Path(__file__).resolve().parents[1] / "payloads" / "gitlab"
PATH = "/webhooks/gitlab"
VERSION = "17.11.1"


@cache
def example(name: str) -> dict[str, Any]:
    """A stored documented payload, e.g. ``merge_request_open``."""
    loaded: dict[str, Any] = json.loads((PAYLOADS / f"{name}.json").read_text())
    return loaded


def delivery(event: str, payload: dict[str, Any]) -> Delivery:
    """Headers as GitLab's WebHookService builds them (the token is the test's to add)."""
    key = str(uuid.uuid4())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": f"GitLab/{VERSION}",
        "X-Gitlab-Event": event,
        "X-Gitlab-Webhook-UUID": str(uuid.uuid4()),
        "X-Gitlab-Event-UUID": key,
        "Idempotency-Key": key,
        "X-Gitlab-Instance": WEB,
    }
    return Delivery(PATH, headers, json.dumps(payload).encode())


def merge_request_hook(
    world: World,
    mr: MergeRequest,
    sender: User,
    action: str,
    *,
    oldrev: str | None = None,
    changes: dict[str, Any] | None = None,
) -> Delivery:
    payload = copy.deepcopy(example("merge_request_open"))
    payload["user"] = _user(sender)
    payload["project"].update(_project(mr.project))
    attrs = payload["object_attributes"]
    attrs.update(
        **_merge_request_fields(mr),
        merge_commit_sha=mr.merge_commit,
        action=action,
        url=f"{WEB}/{mr.project.path}/-/merge_requests/{mr.iid}",
        labels=_labels(mr.project, mr.labels),
    )
    attrs["source"].update(_project(mr.source))
    attrs["target"].update(_project(mr.project))
    head = world.commits[mr.head]
    attrs["last_commit"].update(id=head.sha, message=head.message, title=head.message)
    attrs["last_commit"]["url"] = f"{WEB}/{mr.source.path}/-/commit/{head.sha}"
    if oldrev is not None:
        attrs["oldrev"] = oldrev
    payload["labels"] = _labels(mr.project, mr.labels)
    payload["changes"] = changes or {}
    return delivery("Merge Request Hook", payload)


def label_changes(mr: MergeRequest, previous: list[str]) -> dict[str, Any]:
    """``changes`` of a label edit: the labels before and after, as the documented example."""
    return {
        "labels": {
            "previous": _labels(mr.project, previous),
            "current": _labels(mr.project, mr.labels),
        }
    }


def note_hook(world: World, mr: MergeRequest, note: Note) -> Delivery:
    payload = copy.deepcopy(example("note_merge_request"))
    payload["user"] = _user(note.author)
    payload["project_id"] = mr.project.id
    payload["project"].update(_project(mr.project))
    payload["object_attributes"].update(
        id=note.id,
        note=note.body,
        author_id=note.author.id,
        project_id=mr.project.id,
        noteable_id=mr.id,
        system=note.system,
        url=f"{WEB}/{mr.project.path}/-/merge_requests/{mr.iid}#note_{note.id}",
    )
    merge = payload["merge_request"]
    merge.update(**_merge_request_fields(mr), labels=[])
    merge["source"].update(_project(mr.source))
    merge["target"].update(_project(mr.project))
    merge["last_commit"].update(id=mr.head, message=world.commits[mr.head].message)
    return delivery("Note Hook", payload)


def push_hook() -> Delivery:
    """The documented push example, unchanged: stackgate does not act on pushes."""
    return delivery("Push Hook", copy.deepcopy(example("push")))


def _user(u: User) -> dict[str, Any]:
    return {
        "id": u.id,
        "name": u.username.title(),
        "username": u.username,
        "avatar_url": f"{WEB}/uploads/-/system/user/avatar/{u.id}/avatar.png",
        "email": "[REDACTED]",
    }


def _project(p: Project) -> dict[str, Any]:
    namespace, _, name = p.path.rpartition("/")
    return {
        "id": p.id,
        "name": name,
        "namespace": namespace,
        "path_with_namespace": p.path,
        "default_branch": p.default_branch,
        "web_url": f"{WEB}/{p.path}",
        "homepage": f"{WEB}/{p.path}",
        "git_http_url": f"{WEB}/{p.path}.git",
        "git_ssh_url": f"git@gitlab.example.com:{p.path}.git",
        "http_url": f"{WEB}/{p.path}.git",
        "ssh_url": f"git@gitlab.example.com:{p.path}.git",
        "url": f"git@gitlab.example.com:{p.path}.git",
    }


def _labels(p: Project, titles: list[str]) -> list[dict[str, Any]]:
    """Project labels in the documented example's shape (ids stable per title)."""
    shaped = []
    for title in titles:
        label = copy.deepcopy(example("merge_request_open")["labels"][0])
        label.update(id=zlib.crc32(title.encode()), title=title, project_id=p.id)
        label.update(group_id=None, description="")
        shaped.append(label)
    return shaped


def _merge_request_fields(mr: MergeRequest) -> dict[str, Any]:
    """The merge request's own fields, the same in MR hooks and in notes on an MR."""
    return {
        "id": mr.id,
        "iid": mr.iid,
        "target_branch": mr.target_branch,
        "source_branch": mr.source_branch,
        "source_project_id": mr.source.id,
        "target_project_id": mr.project.id,
        "author_id": mr.author.id,
        "title": mr.title,
        "state": mr.state,
        "draft": mr.draft,
        "work_in_progress": mr.draft,
    }
