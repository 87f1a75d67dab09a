"""Apply a plan: waves in plan order, steps of a wave at once (bounded per cloud), journaled.

A step whose input failed is skipped and says why; independent steps go on. Resuming a run
picks every step up where the journal left it: done steps are kept, submitted ones are
awaited by job id, and ones that may have gone out are looked for before being sent again
(an address or rule by its journaled request: provenance.py).
A run that would destroy anything protected is refused whole, before any call (protection.py).
"""

from __future__ import annotations

import contextvars
import threading
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from itertools import groupby
from typing import Any

from app.apply import journal as j
from app.apply.context import contexts
from app.apply.journal import Journal, Run, StepRecord
from app.apply.operations import operation_for, supported
from app.apply.operations.base import Context, Operation, Submitted
from app.apply.operations.common import row
from app.apply.operations.create import Create
from app.apply.protection import held_back, protected, refusal
from app.apply.provenance import Claims
from app.cloudstack.clouds import Clouds
from app.cloudstack.errors import CloudStackError, JobFailed, JobTimedOut, OutcomeUnknown
from app.plan.model import Action, Change
from app.plan.order import peers, wave
from app.plan.references import references
from app.spec.state import DesiredState


def unsupported(changes: Iterable[Change]) -> list[Change]:
    """Changes apply cannot make yet; a plan with any of them is refused before it starts."""
    return [change for change in changes if not supported(change)]


@dataclass
class _Progress:
    """Which addresses failed or were skipped so far, and what the run's steps hold, shared
    by the wave's threads."""

    claims: Claims
    broken: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def blocker(self, change: Change) -> str | None:
        if change.action is Action.DELETE:  # a delete waits for what used it to go first
            return None
        # Its own address too: the create half of a replace whose delete failed, or the
        # group whose rules naming other groups come after it; and the groups they name.
        groups = {f"{change.project}/security_group/{name}" for name in peers(change)}
        named = references(change) | groups | {change.address}
        return next(iter(sorted(named & self.broken)), None)


class Executor:
    def __init__(self, clouds: Clouds, journal: Journal, concurrency: int = 8) -> None:
        self.clouds, self.journal, self.concurrency = clouds, journal, concurrency

    def apply(self, run: Run, desired: DesiredState, commit: str) -> Run:
        changes = run.plan.changes
        left = [record.seq for record in run.steps if record.state != j.DONE]
        guarded = [seq for seq in left if protected(changes[seq])]
        if guarded:
            return self._refuse(run, left, guarded)
        by_project = contexts(self.clouds, run.plan, desired, commit)
        for record in run.steps:  # what earlier attempts made is known by id
            change = changes[record.seq]
            if record.state == j.DONE and record.resource_id:
                by_project[change.project].ids[f"{change.kind}/{change.name}"] = record.resource_id
        progress = _Progress(Claims.of(run))
        for _, members in groupby(range(len(changes)), key=lambda seq: wave(changes[seq])):
            todo = [seq for seq in members if run.steps[seq].state != j.DONE]
            self._wave(run, todo, by_project, progress)
        self.journal.close(run.id, self.journal.load(run.id).succeeded)
        return self.journal.load(run.id)

    def _refuse(self, run: Run, left: list[int], guarded: list[int]) -> Run:
        """Nothing of a run that would destroy something protected is sent: its other steps
        may be the first half of that destruction (the VMs on a replaced network)."""
        changes = run.plan.changes
        others = held_back(changes[seq] for seq in guarded)
        for seq in left:
            if seq in guarded:
                self.journal.mark(run.id, seq, j.FAILED, error=refusal(changes[seq]))
            else:
                self.journal.mark(run.id, seq, j.SKIPPED, error=others)
        self.journal.close(run.id, False)
        return self.journal.load(run.id)

    def _wave(
        self, run: Run, todo: list[int], by_project: dict[str, Context], progress: _Progress
    ) -> None:
        clouds = {ctx.client.cloud for ctx in by_project.values()}
        # Per cloud: ``concurrency`` steps in their own call and job, and as many more
        # finishing (awaiting the tag jobs sent beside theirs, follow-ups) meanwhile.
        limits = {
            cloud: (
                threading.Semaphore(2 * self.concurrency),
                threading.Semaphore(self.concurrency),
            )
            for cloud in clouds
        }
        workers = max(1, 2 * self.concurrency * len(clouds))

        def step(seq: int) -> None:
            change = run.plan.changes[seq]
            ctx = by_project[change.project]
            steps, calls = limits[ctx.client.cloud]
            with steps, _Slot(calls) as slot:
                self._step(run.id, run.steps[seq], change, ctx, progress, slot)

        context = contextvars.copy_context()  # the job's log context, in every step's thread
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="apply") as pool:
            list(pool.map(lambda seq: context.copy().run(step, seq), todo))

    def _step(
        self,
        run_id: int,
        record: StepRecord,
        change: Change,
        ctx: Context,
        progress: _Progress,
        slot: _Slot,
    ) -> None:
        blocker = progress.blocker(change)
        if blocker is not None:
            self.journal.mark(run_id, record.seq, j.SKIPPED, error=f"{blocker} did not succeed")
            with progress.lock:
                progress.broken.add(change.address)
            return
        try:
            resource = self._make(run_id, record, change, ctx, progress.claims, slot)
        except _Unfinished as unfinished:
            # The call went through; what follows it (attach, members, tags) did not. The
            # step stays uncertain: the next attempt finds the object and finishes it.
            self.journal.mark(run_id, record.seq, j.STARTED, error=str(unfinished.error))
            with progress.lock:
                progress.broken.add(change.address)
            return
        except CloudStackError as error:
            if isinstance(error, JobTimedOut | OutcomeUnknown):
                # It may still happen, or have happened: the step stays uncertain, so the next
                # attempt waits for the job, or looks for the object, and never resends blind.
                state = j.SUBMITTED if isinstance(error, JobTimedOut) else j.STARTED
                text = str(error)
            else:
                made = self.journal.step(run_id, record.seq).resource_id
                note = self._clear_leftover(change, ctx, error, made)
                state, text = j.FAILED, str(error) + note
            self.journal.mark(run_id, record.seq, state, error=text)
            with progress.lock:
                progress.broken.add(change.address)
            return
        instead = ctx.notes.pop(change.address, None)  # what it did instead of its call
        self.journal.mark(run_id, record.seq, j.DONE, resource_id=resource, error=instead)
        if resource is not None:
            ctx.ids[f"{change.kind}/{change.name}"] = resource

    @staticmethod
    def _clear_leftover(
        change: Change, ctx: Context, error: CloudStackError, made: str | None
    ) -> str:
        """A create whose own job failed may leave a half-made object (a VM in Error state,
        an address still allocated) that blocks the name or holds a resource: remove it (by
        ``made``, the id its call answered with, else by looking), so that the next apply
        makes it cleanly. A failed follow-up (attach, tags) leaves a whole object: the next
        apply finishes it."""
        operation = operation_for(change.kind, change.action)
        remove = operation_for(change.kind, Action.DELETE)
        own_job = isinstance(error, JobFailed) and error.command == change.kind  # see _await
        if not own_job or not isinstance(operation, Create) or remove is None:
            return ""
        leftover: str | None = None
        try:
            leftover = made if made and row(ctx, operation.kind, made) else None
            leftover = leftover or operation.find(ctx, change)
            if leftover is None:
                return ""
            doomed = replace(change, action=Action.DELETE, live_id=leftover, before=change.after)
            submitted = remove.submit(ctx, doomed)
            if submitted.job_id:
                ctx.client.wait(change.kind, submitted.job_id)
        except CloudStackError as error:
            return f" (what it left, {leftover or 'if anything'}, could not be removed: {error})"
        return f" (what it left, {leftover}, was removed)"

    def _make(
        self,
        run_id: int,
        record: StepRecord,
        change: Change,
        ctx: Context,
        claims: Claims,
        slot: _Slot,
    ) -> str | None:
        operation = operation_for(change.kind, change.action)
        assert operation is not None, "unsupported changes are refused before a run starts"
        if record.state == j.SUBMITTED and record.job_id:
            submitted = Submitted(record.job_id, record.resource_id)
            result = ctx.client.wait(change.kind, record.job_id)
            slot.release()
            return _finish(operation, ctx, change, submitted, result)
        if record.state in (j.STARTED, j.FAILED):  # it may have happened: look before sending
            found = operation.find(ctx, change)
            if change.action is Action.DELETE and found is None:
                return None
            if change.action is not Action.DELETE and found is not None:
                # Finish what it left: follow-ups and tags are idempotent, and an object
                # found untagged gets its tags only here.
                claims.settle(record.seq, found)
                return _finish(operation, ctx, change, Submitted(resource_id=found), {})
        if isinstance(operation, Create) and record.state == j.STARTED:
            adopted = claims.adopt(ctx, operation, record.seq)
            if adopted is not None:
                return self._await(run_id, record, change, ctx, adopted, slot)
        request = operation.request(ctx, change) if isinstance(operation, Create) else None
        self.journal.mark(
            run_id, record.seq, j.STARTED, request=request, job_id=None, resource_id=None
        )
        submitted = operation.submit(ctx, change)
        if submitted.job_id is None:
            return _finish(operation, ctx, change, submitted, {})
        return self._await(run_id, record, change, ctx, submitted, slot)

    def _await(
        self,
        run_id: int,
        record: StepRecord,
        change: Change,
        ctx: Context,
        sent: Submitted,
        slot: _Slot,
    ) -> str | None:
        """Journal the job, wait for it, give up the slot, finish the step."""
        operation = operation_for(change.kind, change.action)
        assert operation is not None and sent.job_id is not None
        self.journal.mark(
            run_id, record.seq, j.SUBMITTED, job_id=sent.job_id, resource_id=sent.resource_id
        )
        # Awaited under the change's kind: a JobFailed saying so is the step's own call, not a
        # follow-up's (tags, attach), which is how _clear_leftover tells them apart.
        result = ctx.client.wait(change.kind, sent.job_id)
        slot.release()
        return _finish(operation, ctx, change, sent, result)


class _Slot:
    """A step's place among its cloud's calls in flight, held until its own job ends and given
    up before it finishes, so that the next step's call runs beside that finishing."""

    def __init__(self, calls: threading.Semaphore) -> None:
        self._calls, self._held = calls, False

    def __enter__(self) -> _Slot:
        self._calls.acquire()
        self._held = True
        return self

    def __exit__(self, *_exc: object) -> None:
        self.release()

    def release(self) -> None:
        if self._held:
            self._held = False
            self._calls.release()


class _Unfinished(Exception):
    """The step's own call succeeded but finishing it failed."""

    def __init__(self, error: CloudStackError) -> None:
        super().__init__(str(error))
        self.error = error


def _finish(
    operation: Operation, ctx: Context, change: Change, sent: Submitted, result: dict[str, Any]
) -> str | None:
    try:
        return operation.finish(ctx, change, sent, result)
    except CloudStackError as error:
        raise _Unfinished(error) from error
