"""Which untagged address or rule a resumed create made: only one that provably came from it.

Addresses and rules have no name. Before such a create is sent its step journals the request
(the parameters the listed object repeats) and the untagged look-alikes already there. On
resume an untagged object is the step's only if it repeats the request, was not there when
the request went out, no other step of the run holds it, and CloudStack's own record of the
job that made it (listAsyncJobs: AsyncJobResponse.cmd and jobinstanceid) says our account
made it with that very command. Steps that sent the same request (two addresses on one
network) are told apart by nothing CloudStack keeps, and need not be: their objects are
alike, so each takes a different one. More such objects than steps that could have made
them means one is not ours: the step fails naming them all, and nothing is adopted.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from app.apply import journal as j
from app.apply.journal import Run
from app.apply.operations.base import Context, Submitted
from app.apply.operations.create import Create
from app.cloudstack.errors import CloudStackError


class Unproven(CloudStackError):
    """Untagged look-alikes appeared while the step's call was out, and which (if any) is its
    own cannot be proven: none is adopted, and the step fails saying which they are."""


@dataclass
class Claims:
    """A resumed run's uncertain nameless creates and what its steps hold, shared by threads."""

    requests: dict[int, dict[str, Any]]  # seq → request of a step whose call may have gone out
    held: dict[str, int]  # object or job id → the step that holds it
    settled: set[int] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def of(cls, run: Run) -> Claims:
        held = {
            some_id: step.seq
            for step in run.steps
            for some_id in (step.job_id, step.resource_id)
            if some_id
        }
        requests = {
            step.seq: step.request
            for step in run.steps
            if step.state == j.STARTED and step.request is not None
        }
        return cls(requests, held)

    def settle(self, seq: int, object_id: str) -> None:
        """Step ``seq`` found its object tagged: it is no longer one that may take another."""
        with self.lock:
            self.settled.add(seq)
            self.held[object_id] = seq

    def adopt(self, ctx: Context, create: Create, seq: int) -> Submitted | None:
        """The job and object step ``seq``'s request made; None when nothing it sent shows
        (so it is sent again); Unproven when that cannot be told."""
        with self.lock:
            try:
                found = self._adopt(ctx, create, seq)
            finally:
                self.settled.add(seq)
            if found is not None and found.job_id and found.resource_id:
                self.held.update({found.resource_id: seq, found.job_id: seq})
            return found

    def _adopt(self, ctx: Context, create: Create, seq: int) -> Submitted | None:
        request = self.requests.get(seq)
        if request is None:  # journaled before requests were: it is sent again, never adopts
            return None
        rows = create.look_alikes(ctx, request["match"])
        free = {str(r["id"]): r for r in rows if self.held.get(str(r["id"]), seq) == seq}
        jobs = _jobs(ctx, create.job_class, set(free)) if free else {}
        proven = {i for i, job in jobs.items() if self.held.get(str(job["jobid"]), seq) == seq}
        alike = [s for s in self.requests if s not in self.settled and _alike(self, s, seq)]
        mine = self._eligible(proven, seq)
        others = {s: self._eligible(proven, s) for s in alike if s != seq}
        if not mine:
            # Look-alikes that appeared while it was out, none provably its own; a source NAT
            # address CloudStack gave the network itself is nobody's request.
            unseen = [
                r for i, r in free.items() if i not in request["seen"] and not r.get("issourcenat")
            ]
            if unseen:
                raise self._unproven(ctx, create, unseen, len(alike))
            return None
        candidates = mine.union(*others.values())
        if len(candidates) > len(alike):  # more than the alike steps could have made
            raise self._unproven(ctx, create, [free[i] for i in candidates], len(alike))
        # The one fewest alike steps could take, so that every one of them gets one.
        pick = min(
            mine,
            key=lambda i: (sum(i in e for e in others.values()), str(jobs[i].get("created")), i),
        )
        return Submitted(str(jobs[pick]["jobid"]), pick)

    def _eligible(self, proven: set[str], seq: int) -> set[str]:
        return proven - set(self.requests[seq]["seen"])

    @staticmethod
    def _unproven(ctx: Context, create: Create, rows: list[dict[str, Any]], steps: int) -> Unproven:
        named = ", ".join(sorted(_describe(r) for r in rows))
        return Unproven(
            ctx.client.cloud,
            create.command,
            f"cannot prove which untagged {create.kind_name} on the same request came from "
            f"this step ({steps} step(s) sent it; candidates: {named}); none was adopted. "
            "Release the ones nobody uses, then apply again.",
        )


def _alike(claims: Claims, other: int, seq: int) -> bool:
    """Two uncertain steps (or one with itself) that sent one command with one set of
    parameters."""
    mine, theirs = claims.requests[seq], claims.requests[other]
    return bool(theirs["command"] == mine["command"] and theirs["match"] == mine["match"])


def _jobs(ctx: Context, job_class: str, ids: set[str]) -> dict[str, dict[str, Any]]:
    """Object id → the job of our account that made it with ``job_class``, among ``ids``."""
    return {
        str(job["jobinstanceid"]): job
        for job in ctx.client.list("listAsyncJobs")
        if job.get("cmd") == job_class and str(job.get("jobinstanceid")) in ids
    }


def _describe(obj: dict[str, Any]) -> str:
    address = obj.get("ipaddress")
    return f"{address} (id {obj['id']})" if address else f"id {obj['id']}"
