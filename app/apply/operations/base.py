"""One CloudStack operation per change: submit it, finish it, or find what it left behind.

The executor journals between the steps: after ``submit`` it records the async job id (if
any) before waiting, so a restart resumes by job id; a step that was pending when the
process died is first looked for with ``find`` (by its ``stackgate.key`` tag and name), so
nothing is ever created twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from app.cloudstack.client import CloudStackClient
from app.cloudstack.model import Catalog, Directory
from app.plan.model import Change
from app.spec.model import Project


@dataclass
class Context:
    """What an operation may use: the project's client, catalog ids and the ids known so far."""

    client: CloudStackClient
    catalog: Catalog
    project_id: str
    repo: str
    commit: str
    # "kind/name" → CloudStack id, for this project: every live object the plan read, plus
    # every object this apply created so far (networks before instances, and so on).
    ids: dict[str, str] = field(default_factory=dict)
    desired: Project | None = None  # the repo's project: public keys, user data text
    # "kind/name" of what this run deletes (replaces included): what goes with them need
    # not be removed on its own (a source NAT address goes with its network).
    leaving: frozenset[str] = frozenset()
    # address → what a done step did instead of its call, journaled with it.
    notes: dict[str, str] = field(default_factory=dict)
    # Projects and members: the privileged client (None: ``client``), the cloud's domains,
    # accounts and users, and the project's domain (set by createProject when it is new).
    tenancy: CloudStackClient | None = None
    directory: Directory | None = None
    domain_id: str = ""


@dataclass(frozen=True)
class Submitted:
    job_id: str | None = None  # an async job to await; journaled before waiting
    resource_id: str | None = None  # the object's id when known at submit time
    # Jobs sent beside the step's own (its tags), awaited in ``finish``; never journaled,
    # as ``finish`` writes again whatever they did not.
    side_jobs: tuple[str, ...] = ()


class Operation(Protocol):
    def submit(self, ctx: Context, change: Change) -> Submitted:
        """Send the call(s) that make the change; wait for nothing that can be journaled."""
        ...

    def finish(
        self, ctx: Context, change: Change, submitted: Submitted, result: dict[str, Any]
    ) -> str | None:
        """After the job (``result`` is its jobresult, {} for sync calls): tag the object,
        make follow-up calls (attach, assign members); return the object's id (None: gone)."""
        ...

    def find(self, ctx: Context, change: Change) -> str | None:
        """The id of what this change made if it exists already (creates: tagged, or for
        named kinds found by name and untagged), or of what it would remove if it still
        exists (deletes); None when there is nothing. A found create is then finished."""
        ...
