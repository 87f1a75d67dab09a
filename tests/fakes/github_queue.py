"""The fake GitHub's merge queue: groups of pull requests merged onto the base one after the
other in a readonly branch, their merge_group deliveries, the compare endpoint that shows
what a group took in, and the push (then the closes) when a group lands."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tests.fakes.base import Delivery
from tests.fakes.github_api import Call, FakeApi, Refused
from tests.fakes.github_hooks import pull_request, wrap
from tests.fakes.github_json import STAMP, Shapes
from tests.fakes.github_state import Repo

QUEUE_BOT = "github-merge-queue[bot]"
_REFS = "refs/heads/"


@dataclass(frozen=True)
class Group:
    """A merge group: its readonly branch, the base tip it started from, its head."""

    repo: str
    base_ref: str
    base_sha: str
    head_sha: str
    numbers: tuple[int, ...]

    @property
    def branch(self) -> str:
        return f"gh-readonly-queue/{self.base_ref}/pr-{self.numbers[-1]}-{self.base_sha}"


def form(found: Repo, numbers: list[int]) -> Group:
    """Merge each pull request onto the group so far (merge commits, in the queue's order)."""
    base_ref = found.pulls[numbers[0]].base_ref
    base = head = found.branches[base_ref]
    for number in numbers:
        head = found.test_merge(found.pulls[number], onto=head)
        if not head:
            raise ValueError(f"#{number} conflicts with the group; GitHub would dequeue it")
    group = Group(found.full_name, base_ref, base, head, tuple(numbers))
    found.branches[group.branch] = head
    return group


def checks(shapes: Shapes, found: Repo, group: Group, sender: str) -> Delivery:
    return _merge_group(shapes, found, group, "checks_requested", sender)


def destroyed(shapes: Shapes, found: Repo, group: Group, reason: str, sender: str) -> Delivery:
    """GitHub drops the group (the examples have no destroyed delivery: derived, + reason)."""
    found.branches.pop(group.branch, None)
    return _merge_group(shapes, found, group, "destroyed", sender, reason=reason)


def land(shapes: Shapes, found: Repo, group: Group) -> list[Delivery]:
    """The base fast-forwards to the group's head (a push), its pull requests close merged,
    and the group is destroyed as merged: the deliveries in the order GitHub sends them."""
    before = found.branches[group.base_ref]
    if before != group.base_sha:
        raise ValueError("the base moved since the group formed; GitHub would rebuild it")
    found.branches[group.base_ref] = group.head_sha
    sent = [_push(shapes, found, group, before)]
    for number in group.numbers:
        pull = found.pulls[number]
        pull.landed_on, pull.merge_sha = before, group.head_sha
        pull.merged, pull.merged_by, pull.state = True, QUEUE_BOT, "closed"
        sent.append(pull_request(shapes, found, pull, "closed", QUEUE_BOT))
    sent.append(destroyed(shapes, found, group, "merged", QUEUE_BOT))
    return sent


def install(api: FakeApi) -> None:
    def compare(call: Call) -> tuple[int, Any]:
        """``GET compare/{base}...{head}``: the commits of head not in base, oldest first."""
        found = call.repo(api)
        base_ref, _, head_ref = call.params["basehead"].partition("...")
        base, head = found.resolve(base_ref), found.resolve(head_ref)
        if base is None or head is None:
            raise Refused(404, "Not Found")
        behind, sha = set(), base.sha
        while sha:
            behind.add(sha)
            sha = found.commits[sha].parent
        listed, sha = [], head.sha
        while sha and sha not in behind:  # the fake's groups are built on the base tip
            listed.append(found.commits[sha])
            sha = found.commits[sha].parent
        listed.reverse()
        url = f"{api.shapes.base}/repos/{found.full_name}"
        web = f"https://github.com/{found.full_name}/compare/{base.sha}...{head.sha}"
        return 200, {
            "url": f"{url}/compare/{base.sha}...{head.sha}",
            "html_url": web,
            "permalink_url": web,
            "diff_url": f"{web}.diff",
            "patch_url": f"{web}.patch",
            "base_commit": api.shapes.pr_commit(found, base),
            "merge_base_commit": api.shapes.pr_commit(found, base),
            "status": "ahead" if listed else "identical",
            "ahead_by": len(listed),
            "behind_by": 0,
            "total_commits": len(listed),
            "commits": [api.shapes.pr_commit(found, made) for made in listed],
            "files": [],
        }

    api.route("GET", "/repos/{owner}/{name}/compare/{basehead:path}", compare)


def _merge_group(
    shapes: Shapes, found: Repo, group: Group, action: str, sender: str, **extra: Any
) -> Delivery:
    payload = shapes.payload("merge_group.checks_requested", found.full_name)
    payload.pop("organization", None)  # the recorded one's; the fake's owners are users
    payload.pop("installation", None)
    payload.update(action=action, **extra)
    payload["merge_group"].update(
        head_sha=group.head_sha,
        head_ref=_REFS + group.branch,
        base_sha=group.base_sha,
        base_ref=_REFS + group.base_ref,
    )
    payload["merge_group"]["head_commit"].update(
        id=group.head_sha,
        tree_id=group.head_sha,
        message=f"Merge pull request #{group.numbers[-1]}",
        timestamp=STAMP,
    )
    payload.update(repository=shapes.repo(found), sender=shapes.user(sender))
    return wrap("merge_group", payload, found.id)


def _push(shapes: Shapes, found: Repo, group: Group, before: str) -> Delivery:
    """The recorded push (a tag's) as the push of the base branch to the group's head."""
    payload = shapes.payload("push", found.full_name)
    owner, name = found.full_name.split("/")
    web = f"https://github.com/{found.full_name}"
    payload.update(
        ref=_REFS + group.base_ref,
        before=before,
        after=group.head_sha,
        created=False,
        compare=f"{web}/compare/{before[:12]}...{group.head_sha[:12]}",
        commits=[],
        pusher={"name": "GitHub", "email": "noreply@github.com"},
    )
    payload["head_commit"].update(
        id=group.head_sha,
        tree_id=group.head_sha,
        message=f"Merge pull request #{group.numbers[-1]}",
        url=f"{web}/commit/{group.head_sha}",
        added=[],
    )
    payload["repository"].update(
        id=found.id,
        name=name,
        default_branch=found.default_branch,
        master_branch=found.default_branch,
        has_discussions=False,
        topics=[],
        visibility="public",
    )
    payload["repository"]["owner"].update(login=owner, name=owner)
    return wrap("push", payload, found.id)
