"""The sandbox's in-memory cloud: one table per kind of object, async jobs, optional file.

Rows are the JSON objects CloudStack returns, kept as they would be listed; keys starting
with ``_`` are the sandbox's own bookkeeping and never leave it.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

Row = dict[str, Any]
KINDS = (
    "zones",
    "hosts",  # not listed: listHosts is an admin's command the sandbox does not serve
    "service_offerings",
    "disk_offerings",
    "templates",
    "network_offerings",
    "domains",
    "accounts",
    "users",
    "projects",
    "networks",
    "vms",
    "volumes",
    "ips",
    "firewall",
    "egress",
    "port_forwards",
    "load_balancers",
    "keypairs",
    "vpc_offerings",
    "vpcs",
    "acl_lists",
    "acl_items",
    "affinity_groups",
    "security_groups",
    "security_group_rules",
    "autoscale_vm_groups",  # none: the sandbox serves no command that makes one
    "os_types",
    "kubernetes_versions",
    "kubernetes_clusters",
    "snapshot_policies",
)
NO_PROJECT = ""


def owner(row: Row) -> str:
    """The project a row belongs to; rules show no projectid, so they keep it as ``_project``."""
    return str(row.get("_project", row.get("projectid", NO_PROJECT)))


class Table:
    """Rows by id, and by project so that per-project lists stay cheap at any size."""

    def __init__(self) -> None:
        self.rows: dict[str, Row] = {}
        self.by_project: dict[str, dict[str, Row]] = {}
        self.removed: set[str] = set()  # ids CloudStack still finds (findByUuidIncludingRemoved)

    def add(self, row: Row) -> Row:
        self.rows[row["id"]] = row
        self.by_project.setdefault(owner(row), {})[row["id"]] = row
        return row

    def remove(self, row_id: str) -> Row | None:
        row = self.rows.pop(row_id, None)
        if row is not None:
            self.by_project.get(owner(row), {}).pop(row_id, None)
            self.removed.add(row_id)
        return row

    def ever_had(self, row_id: str) -> bool:
        return row_id in self.rows or row_id in self.removed

    def get(self, row_id: str) -> Row | None:
        return self.rows.get(row_id)

    def in_project(self, project_id: str) -> Iterator[Row]:
        return iter(list(self.by_project.get(project_id, {}).values()))

    def __iter__(self) -> Iterator[Row]:
        return iter(list(self.rows.values()))

    def __len__(self) -> int:
        return len(self.rows)


Outcome = tuple[str, Row] | None  # (object key, object) of a finished job, or None for success


@dataclass
class Job:
    id: str
    cmd: str
    created: str
    due: float
    run: Callable[[], Outcome] | None = None
    instance_type: str | None = None
    instance_id: str | None = None
    entity_id: str | None = None  # what an async-create command created (BaseAsyncCreateCmd)
    status: int = 0
    result_code: int = 0
    result: Row | None = None
    completed: str | None = None


@dataclass
class Account:
    domain_id: str
    user_id: str
    account_id: str
    name: str = "stackgate"
    domain: str = "ROOT"


@dataclass
class CloudState:
    """Everything the sandbox knows; guarded by ``lock`` because requests run concurrently."""

    account: Account
    api_key: str
    secret_key: str
    job_seconds: float = 0.0
    tables: dict[str, Table] = field(default_factory=lambda: {kind: Table() for kind in KINDS})
    limits: dict[tuple[str, int], int] = field(default_factory=dict)  # (projectid, type) → max
    jobs: dict[str, Job] = field(default_factory=dict)
    public_pool: list[str] = field(default_factory=list)  # free public addresses, per zone below
    sequences: dict[str, int] = field(default_factory=dict)  # internal numeric ids, per kind
    clock: Callable[[], float] = time.monotonic
    lock: threading.RLock = field(default_factory=threading.RLock)
    path: Path | None = None

    def table(self, kind: str) -> Table:
        return self.tables[kind]

    @staticmethod
    def new_id() -> str:
        return str(uuid.uuid4())

    def next_number(self, kind: str) -> int:
        """The next internal numeric id of a kind (never reused, like a database sequence)."""
        self.sequences[kind] = self.sequences.get(kind, 0) + 1
        return self.sequences[kind]

    @staticmethod
    def timestamp() -> str:
        return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")

    def submit(
        self,
        cmd: str,
        run: Callable[[], Outcome],
        instance: tuple[str, str] | None = None,
        seconds: float | None = None,
    ) -> Job:
        """Queue an async job; it finishes ``seconds`` (else ``job_seconds``) later, seen by
        the next request."""
        due = self.clock() + (self.job_seconds if seconds is None else seconds)
        job = Job(self.new_id(), cmd, self.timestamp(), due, run)
        if instance:
            job.instance_type, job.instance_id = instance
        self.jobs[job.id] = job
        return job

    def due_jobs(self) -> list[Job]:
        now = self.clock()
        return [job for job in self.jobs.values() if job.status == 0 and job.due <= now]

    def save(self) -> None:
        if self.path is None:
            return
        data = {
            "api_key": self.api_key,
            "secret_key": self.secret_key,
            "account": self.account.__dict__,
            "tables": {kind: list(table.rows.values()) for kind, table in self.tables.items()},
            "removed": {kind: sorted(table.removed) for kind, table in self.tables.items()},
            "limits": [[project, kind, value] for (project, kind), value in self.limits.items()],
            "public_pool": self.public_pool,
            "sequences": self.sequences,
        }
        temporary = self.path.with_suffix(".tmp")
        temporary.write_text(json.dumps(data), encoding="utf-8")
        temporary.replace(self.path)  # a crash never leaves half a file behind


def load_state(path: Path) -> CloudState:
    data = json.loads(path.read_text(encoding="utf-8"))
    state = CloudState(Account(**data["account"]), data["api_key"], data["secret_key"], path=path)
    for kind, rows in data["tables"].items():
        for row in rows:
            state.tables[kind].add(row)
    for kind, ids in data.get("removed", {}).items():
        state.tables[kind].removed.update(ids)
    state.limits = {(project, kind): value for project, kind, value in data["limits"]}
    state.public_pool = data["public_pool"]
    state.sequences = data.get("sequences", {})
    return state
