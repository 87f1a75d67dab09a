"""The API dispatcher: authenticate, run the command, finish due jobs, answer as CloudStack does."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from app.sandbox.errors import (
    INTERNAL_ERROR,
    UNSUPPORTED_ACTION,
    ApiError,
    unknown_entity,
)
from app.sandbox.knobs import Knobs
from app.sandbox.listing import public
from app.sandbox.protocol import Request, authenticate, envelope, error_body
from app.sandbox.store import CloudState, Job, Outcome, Row

Answer = dict[str, Any] | Job
Handler = Callable[["Ctx"], Answer]
INTERNAL_TEXT = "Internal error executing command, please contact your system administrator"
log = logging.getLogger("stackgate.sandbox")
HANDLERS: dict[str, Handler] = {}


def command(name: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        HANDLERS[name] = handler
        return handler

    return register


@dataclass
class Ctx:
    state: CloudState
    request: Request
    knobs: Knobs

    def entity(self, kind: str, param: str, value: str | None = None) -> Row:
        """The row a UUID parameter names, or the server's 'invalid value' refusal."""
        key = value if value is not None else self.request.require(param)
        row = self.state.table(kind).get(key)
        if row is None:
            raise unknown_entity(self.request.command, param, key)
        return row

    def optional(self, kind: str, param: str) -> Row | None:
        return self.entity(kind, param) if self.request.get(param) else None

    def project(self) -> Row | None:
        return self.optional("projects", "projectid")

    def owner_fields(self, project: Row | None) -> Row:
        """account/domain/project fields of an object owned by ``project`` (or the caller)."""
        account = self.state.account
        fields: Row = {
            "account": project["projectaccountname"] if project else account.name,
            "domainid": account.domain_id,
            "domain": account.domain,
        }
        if project:
            fields.update(projectid=project["id"], project=project["name"])
        return fields

    def submit(
        self,
        run: Callable[[], Outcome],
        instance: tuple[str, Row] | None = None,
        created: Row | None = None,
        failed: Callable[[], None] | None = None,
    ) -> Job:
        """Queue the command's job; an injected job failure replaces its work.

        ``instance`` is the job's instance (type, row); ``created`` the object an async-create
        command made, when it is not the instance (createProject has no instance type);
        ``failed`` what the command's own code does to its object when its job fails (a CKS
        worker's state transition), done for an injected failure too.
        """
        failure = self.knobs.take_failure(
            self.request.command, in_job=True, params=self.request.params
        )
        work = run if failure is None else _raiser(failure, failed)
        target = (instance[0], instance[1]["id"]) if instance else None
        seconds = self.knobs.job_seconds.get(self.request.command)
        job = self.state.submit(self.request.spec["cmd_class"], work, target, seconds)
        entity = created if created is not None else instance[1] if instance else None
        job.entity_id = entity["id"] if entity is not None else None
        if instance:
            instance[1].update(jobid=job.id, jobstatus=0)
        return job


def _raiser(error: ApiError, failed: Callable[[], None] | None) -> Callable[[], Outcome]:
    def run() -> Outcome:
        if failed is not None:
            failed()
        raise error

    return run


@dataclass
class Api:
    state: CloudState
    knobs: Knobs = field(default_factory=Knobs)
    calls: Counter[str] = field(default_factory=Counter)
    # requests being answered now, and the most at once so far: a client's concurrency, as
    # the server sees it (the event loop alone changes them)
    in_flight: int = 0
    most_in_flight: int = 0

    def handle(self, raw: dict[str, str]) -> tuple[int, dict[str, Any]]:
        """(HTTP status, JSON body) for one request; never raises for a client's mistake."""
        name = raw.get("command")
        with self.state.lock:
            self.finish_due_jobs()
            try:
                request = self._authenticate(raw)
                injected = self.knobs.take_failure(
                    request.command, in_job=False, params=request.params
                )
                if injected:
                    raise injected
                body = self._run(request)
            except ApiError as error:  # 432 answers under errorresponse (ApiServer)
                outer = None if error.errorcode == UNSUPPORTED_ACTION else name
                return error.errorcode, envelope(outer, error_body(error))
            except Exception:  # a sandbox bug: answer as the server does, keep the trace in the log
                log.exception("sandbox failed on %s", name)
                return INTERNAL_ERROR, envelope(
                    name, error_body(ApiError(INTERNAL_ERROR, INTERNAL_TEXT))
                )
            if not request.spec["list"]:
                self.state.save()
            return 200, envelope(name, body)

    def _authenticate(self, raw: dict[str, str]) -> Request:
        """The request, counted; a command refused as unavailable is counted too (it reached
        the server, as a test of a client wants to see)."""
        state = self.state
        try:
            request = authenticate(
                raw, state.api_key, state.secret_key, datetime.now(UTC), state.account.user_id
            )
        except ApiError as error:
            if error.errorcode == UNSUPPORTED_ACTION:
                self.calls[raw.get("command", "")] += 1
            raise
        self.calls[request.command] += 1
        return request

    def _run(self, request: Request) -> dict[str, Any]:
        handler = HANDLERS.get(request.command)
        if handler is None:
            raise ApiError(INTERNAL_ERROR, f"The sandbox does not implement {request.command}")
        answer = handler(Ctx(self.state, request, self.knobs))
        if not isinstance(answer, Job):
            return answer
        if request.spec["async_create"] and answer.entity_id:
            return {"id": answer.entity_id, "jobid": answer.id}
        return {"jobid": answer.id}

    def finish_due_jobs(self) -> None:
        for job in self.state.due_jobs():
            self.finish(job)

    def finish(self, job: Job) -> None:
        assert job.run is not None
        try:
            outcome = job.run()
        except ApiError as error:
            job.status, job.result_code = 2, error.errorcode
            job.result = {"errorcode": error.errorcode, "errortext": error.errortext}
        else:
            job.status = 1
            job.result = {outcome[0]: public(outcome[1])} if outcome else {"success": True}
        job.completed = self.state.timestamp()
        job.run = None
        self._clear_pending(job)
        self.state.save()

    def _clear_pending(self, job: Job) -> None:
        for table in self.state.tables.values():
            row = table.get(job.instance_id) if job.instance_id else None
            if row is not None and row.get("jobid") == job.id:
                row.pop("jobid", None)
                row.pop("jobstatus", None)
