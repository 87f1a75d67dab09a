"""What can go wrong talking to CloudStack, as typed values whose text is safe to show people.

    CloudStackError                 base: which cloud, which command
    ├── ApiError                    the management server answered an error (errorcode, ...)
    │   └── JobFailed               an async job ended in failure (jobresultcode, errortext)
    ├── JobTimedOut                 a job did not finish within the timeout
    ├── Unreachable                 no answer after retries (connection, timeout, proxy 5xx)
    ├── OutcomeUnknown              a create was sent but its answer lost: look it up, never resend
    └── BadResponse                 an answer that is not CloudStack's JSON envelope

No message carries an API key, a secret or a signature: requests are never quoted.
"""

from __future__ import annotations


class CloudStackError(Exception):
    def __init__(self, cloud: str, command: str, message: str) -> None:
        super().__init__(f"{cloud}: {command}: {message}")
        self.cloud = cloud
        self.command = command


class ApiError(CloudStackError):
    """CloudStack's own error: ``errortext`` is its words, ``errorcode`` also the HTTP status."""

    def __init__(
        self,
        cloud: str,
        command: str,
        errorcode: int,
        errortext: str,
        cserrorcode: int | None = None,
        http_status: int | None = None,
    ) -> None:
        super().__init__(cloud, command, f"{errortext} (errorcode {errorcode})")
        self.errorcode = errorcode
        self.errortext = errortext
        self.cserrorcode = cserrorcode
        self.http_status = http_status if http_status is not None else errorcode


class JobFailed(ApiError):
    def __init__(
        self, cloud: str, command: str, job_id: str, errorcode: int, errortext: str
    ) -> None:
        super().__init__(cloud, command, errorcode, errortext)
        self.job_id = job_id


class JobTimedOut(CloudStackError):
    def __init__(self, cloud: str, command: str, job_id: str, seconds: float) -> None:
        super().__init__(cloud, command, f"job {job_id} still running after {seconds:.0f}s")
        self.job_id = job_id


class Unreachable(CloudStackError):
    """Transport failure that survived every retry."""


class OutcomeUnknown(CloudStackError):
    """A create reached the wire but no answer came back; it may or may not exist now."""


class BadResponse(CloudStackError):
    """The answer was not the JSON envelope a management server sends."""
