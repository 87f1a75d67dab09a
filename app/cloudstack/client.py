"""One client for every CloudStack call: signing, paging, async jobs, retries and typed errors.

Transport and parameter encoding come from the ``cs`` package (its synchronous client,
loaded by cs_client.py without aiohttp); its signature leaves ``~`` unencoded where the
server encodes it, so ``_sign`` is replaced by ours. Retries and job
polling use tenacity: reads retry on any transient failure, creates only when the request
provably never reached the server, and jobs are awaited here and nowhere else.

One client is shared by threads (an apply's steps, a plan's reads sent side by side with
``gather``). What it shares is safe to share: ``cs`` keeps no state per call on its
transport (``_request`` builds the parameters, the prepared request and the answer as
locals), requests' Session sends through urllib3's pool, which is locked, and merges cookies
into a jar that is locked; the client's own counters and transports change under its lock.
"""

from __future__ import annotations

import logging
import math
import re
import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any, TypeVar

import requests
from pydantic import SecretStr
from requests.adapters import HTTPAdapter
from tenacity import (
    Retrying,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential,
)
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError

from app.cloudstack import gathering
from app.cloudstack.cs_client import CloudStack, CloudStackApiException, CloudStackException
from app.cloudstack.errors import (
    ApiError,
    BadResponse,
    CloudStackError,
    JobFailed,
    JobTimedOut,
    OutcomeUnknown,
    Unreachable,
)
from app.cloudstack.jobs import JOB_PENDING, JobWatch
from app.cloudstack.signing import sign
from app.metrics import CLOUDSTACK_CALLS

log = logging.getLogger("stackgate.cloudstack")

PAGE_SIZE = 500
CREATE_PREFIXES = ("create", "deploy", "associate", "register", "add", "copy", "upload", "allocate")
READ_PREFIXES = ("list", "query", "get")
TRANSIENT_STATUS = (429, 500, 502, 503, 504)
NOT_PROCESSED_STATUS = (429, 503)  # a proxy or rate limiter refused before the server acted
INTERNAL_ERROR = 530
SECRET_PARAMS = ("apikey", "signature", "secretkey", "password", "userdata", "publickey")
T = TypeVar("T")


@dataclass(frozen=True)
class Endpoint:
    """One configured CloudStack management server."""

    name: str
    url: str
    api_key: SecretStr
    secret_key: SecretStr
    verify_tls: bool = True
    timeout: float = 30.0
    job_timeout: float = 900.0
    attempts: int = 4
    concurrency: int = 8  # reads ``gather`` sends at once (the apply_concurrency setting)


class _Transport(CloudStack):
    """``cs`` with CloudStack's own encoding of ``~`` in the signature."""

    def _sign(self, data: dict[str, str]) -> None:
        data["signature"] = sign(data, self.secret or "")

    def call(self, command: str, params: dict[str, Any]) -> Any:
        return self._request(command, **params)  # type: ignore[no-untyped-call]


def redact(params: Mapping[str, Any]) -> dict[str, Any]:
    return {k: "***" if k.lower() in SECRET_PARAMS else v for k, v in params.items()}


class RedactQueries(logging.Filter):
    """urllib3 logs each request line; a GET's query carries the API key and the signature."""

    _SECRET = re.compile(r"(apikey|signature)=[^&\s\"]+", re.IGNORECASE)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = self._SECRET.sub(r"\1=***", message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        return True


logging.getLogger("urllib3.connectionpool").addFilter(RedactQueries())


@dataclass
class _Failure(Exception):
    """An attempt that failed; ``retry`` says whether another attempt may follow."""

    error: CloudStackError
    retry: bool


@dataclass
class CloudStackClient:
    endpoint: Endpoint
    sleep: Callable[[float], None] = time.sleep
    calls: Counter[str] = field(default_factory=Counter)
    outcomes: Counter[tuple[str, str]] = field(default_factory=Counter)
    seconds: float = 0.0
    _transports: dict[str, _Transport] = field(default_factory=dict, init=False, repr=False)
    _session: requests.Session = field(default_factory=requests.Session, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)
    _in_flight: threading.BoundedSemaphore = field(init=False, repr=False)
    _jobs: JobWatch = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._jobs = JobWatch(self._query_job, self._list_jobs, self.sleep)
        self._in_flight = threading.BoundedSemaphore(max(1, self.endpoint.concurrency))
        # A connection kept for each request a plan's reads or an apply's steps (twice the
        # bound: those running and those finishing) send at once; urllib3 keeps 10 and drops
        # the others' after each request, with a warning, so a larger bound would reconnect.
        adapter = HTTPAdapter(pool_maxsize=max(10, 2 * self.endpoint.concurrency))
        for scheme in ("http://", "https://"):
            self._session.mount(scheme, adapter)

    def _query_job(self, job_id: str) -> dict[str, Any]:
        return self.request("queryAsyncJobResult", jobid=job_id)

    def _list_jobs(self, since: str) -> list[dict[str, Any]]:
        return self.list("listAsyncJobs", **({"startdate": since} if since else {}))

    def close(self) -> None:
        self._session.close()

    @property
    def cloud(self) -> str:
        return self.endpoint.name

    def request(self, command: str, **params: Any) -> dict[str, Any]:
        """One command, retried as its kind allows; returns the body inside ``<cmd>response``."""
        retrying = Retrying(
            stop=stop_after_attempt(self.endpoint.attempts),
            wait=wait_exponential(multiplier=0.2, max=5),
            retry=retry_if_exception(lambda exc: isinstance(exc, _Failure) and exc.retry),
            sleep=self.sleep,
            reraise=True,
        )
        try:
            result: dict[str, Any] = retrying(self._attempt, command, params)
        except _Failure as failure:
            raise failure.error from None
        return result

    def gather(self, reads: Sequence[Callable[[], T]]) -> list[T]:
        """Independent reads side by side, their answers in the order given; a read's own
        pages stay in order, as ``list`` sends them.

        At most ``endpoint.concurrency`` requests of gathered reads are in flight on this
        client at once, whoever gathers them (several projects' reads, a read gathering
        within a read, two plans on one cloud). Once a read fails, the requests not yet sent
        are not sent; the first failure in the given order is raised when every read has
        ended: the one reading them in turn would have raised, unless an earlier read that
        was not sent would have failed too (gathering.py).
        """
        return gathering.gather(self, self._in_flight, f"read-{self.cloud}", reads)

    def _page(
        self, command: str, params: dict[str, Any], page: int
    ) -> tuple[list[dict[str, Any]], int]:
        """One page of a list and the ``count`` it reports."""
        body = self.request(command, **params, page=page, pagesize=PAGE_SIZE)
        rows: list[dict[str, Any]] = next((v for k, v in body.items() if k != "count"), [])
        return rows, int(body.get("count", 0))

    def list(self, command: str, **params: Any) -> list[dict[str, Any]]:
        """Every item of a list command (pagesize 500), until ``count`` is reached or a page
        comes back empty. The first page's ``count`` says how many pages follow: those are
        sent side by side (``gather``) and taken in page order, then, should the list have
        grown meanwhile, the next ones one by one, as before."""
        items, count = self._page(command, params, 1)
        if not items or len(items) >= count:
            return items
        known = range(2, math.ceil(count / PAGE_SIZE) + 1)
        for rows, count in self.gather([partial(self._page, command, params, n) for n in known]):
            items.extend(rows)
            if not rows or len(items) >= count:
                return items
        page = known.stop - 1
        while True:
            page += 1
            rows, count = self._page(command, params, page)
            items.extend(rows)
            if not rows or len(items) >= count:
                return items

    def run(self, command: str, **params: Any) -> dict[str, Any]:
        """An async command to its end: the job's result, plus ``id`` for async-create commands."""
        answer = self.request(command, **params)
        if "jobid" not in answer:
            return answer
        result = self.wait(command, str(answer["jobid"]))
        return {"id": answer["id"], **result} if "id" in answer else result

    def wait(self, command: str, job_id: str) -> dict[str, Any]:
        """Query the job once, then, while it runs, await it with the client's other jobs
        (jobs.py: one listAsyncJobs call polls them all) until it ends or the timeout passes."""
        deadline = time.monotonic() + self.endpoint.job_timeout
        job: dict[str, Any] | None = self.request("queryAsyncJobResult", jobid=job_id)
        if job is not None and job.get("jobstatus") == JOB_PENDING:
            job = self._jobs.await_job(job_id, str(job.get("created", "")), deadline)
        if job is None:
            raise JobTimedOut(self.cloud, command, job_id, self.endpoint.job_timeout)
        result: dict[str, Any] = job.get("jobresult") or {}
        if job.get("jobstatus") != 1 or job.get("jobresultcode"):
            code = int(result.get("errorcode", job.get("jobresultcode") or INTERNAL_ERROR))
            raise JobFailed(
                self.cloud, command, job_id, code, str(result.get("errortext", "job failed"))
            )
        return result

    def _attempt(self, command: str, params: dict[str, Any]) -> dict[str, Any]:
        with gathering.slot(self):  # a gathered read's place in the bound, or NotSent
            return self._send(command, params)

    def _send(self, command: str, params: dict[str, Any]) -> dict[str, Any]:
        started = time.monotonic()
        with self._lock:
            self.calls[command] += 1
        try:
            body = self._transport(command).call(command, params)
        except CloudStackApiException as exc:
            failure = self._api_failure(command, exc)
        except CloudStackException as exc:
            failure = self._http_failure(command, exc)
        except requests.RequestException as exc:
            failure = self._transport_failure(command, exc)
        else:
            self._record(command, params, "ok", started)
            return body if isinstance(body, dict) else {}
        self._record(command, params, type(failure.error).__name__, started)
        raise failure

    def _transport(self, command: str) -> _Transport:
        method = "get" if command.startswith(READ_PREFIXES) else "post"
        with self._lock:
            if method not in self._transports:
                self._transports[method] = _Transport(
                    endpoint=self.endpoint.url,
                    key=self.endpoint.api_key.get_secret_value(),
                    secret=self.endpoint.secret_key.get_secret_value(),
                    timeout=max(1, math.ceil(self.endpoint.timeout)),
                    session=self._session,
                    method=method,
                    dangerous_no_tls_verify=not self.endpoint.verify_tls,
                )
            return self._transports[method]

    def _api_failure(self, command: str, exc: CloudStackApiException) -> _Failure:
        error = exc.error if isinstance(exc.error, dict) else {}
        status = exc.response.status_code if exc.response is not None else None
        code = int(error.get("errorcode", status or INTERNAL_ERROR))
        api_error = ApiError(
            self.cloud, command, code, str(error.get("errortext", "no error text")),
            error.get("cserrorcode"), status,
        )  # fmt: skip
        transient = code == INTERNAL_ERROR or (status or 0) in TRANSIENT_STATUS
        return _Failure(api_error, transient and not _is_create(command))

    def _http_failure(self, command: str, exc: CloudStackException) -> _Failure:
        status = exc.response.status_code if getattr(exc, "response", None) is not None else 0
        if status in TRANSIENT_STATUS:
            error = Unreachable(self.cloud, command, f"HTTP {status} from {self._host()}")
            return _Failure(error, not _is_create(command) or status in NOT_PROCESSED_STATUS)
        return _Failure(
            BadResponse(self.cloud, command, f"not a CloudStack answer (HTTP {status})"), False
        )

    def _transport_failure(self, command: str, exc: requests.RequestException) -> _Failure:
        never_sent = isinstance(exc, requests.ConnectTimeout) or _refused(exc)
        if _is_create(command) and not never_sent:
            message = "no answer after sending; it may or may not have been created"
            return _Failure(OutcomeUnknown(self.cloud, command, message), False)
        reason = "timed out" if isinstance(exc, requests.Timeout) else "connection failed"
        return _Failure(Unreachable(self.cloud, command, f"{reason} ({self._host()})"), True)

    def _host(self) -> str:
        return self.endpoint.url.split("//", 1)[-1].split("/", 1)[0]

    def _record(
        self, command: str, params: Mapping[str, Any], outcome: str, started: float
    ) -> None:
        elapsed = time.monotonic() - started
        with self._lock:
            self.seconds += elapsed
            self.outcomes[(command, outcome)] += 1
        CLOUDSTACK_CALLS.labels(self.cloud, command, outcome).inc()
        log.debug(
            "cloudstack %s %s %s %s %.3fs", self.cloud, command, redact(params), outcome, elapsed
        )


def _is_create(command: str) -> bool:
    return command.startswith(CREATE_PREFIXES)


def _refused(exc: requests.RequestException) -> bool:
    """True when the connection was never made, so the request cannot have reached the server."""
    cause = exc.args[0] if exc.args else None
    reason = getattr(cause, "reason", cause)
    return isinstance(exc, requests.ConnectionError) and isinstance(
        reason, NewConnectionError | ConnectTimeoutError
    )
