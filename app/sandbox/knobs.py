"""Test and benchmark knobs: latency, job time, injected failures and a random outage rate."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from app.sandbox.errors import ApiError


@dataclass
class Failure:
    remaining: int
    error: ApiError
    in_job: bool  # fail the async job instead of the request
    matching: dict[str, str]  # only requests with these parameter values; empty matches all


@dataclass
class Knobs:
    latency: dict[str, float] = field(default_factory=dict)  # command (or "*") → seconds
    # command → how long its async jobs run, over the sandbox-wide job_seconds (a deploy
    # takes far longer than a tag in a real cloud)
    job_seconds: dict[str, float] = field(default_factory=dict)
    failures: dict[str, Failure] = field(default_factory=dict)
    outage_rate: float = 0.0  # share of requests answered 503 before reaching the API
    outage_next: int = 0  # the next N requests answered 503, whatever the rate
    # KubernetesClusterStatusScanner's period (30 s): how long a cluster stays in Alert before
    # its next pass reconciles it from its nodes
    cks_scan_seconds: float = 30.0
    rng: random.Random = field(default_factory=lambda: random.Random(0))

    def delay(self, command: str) -> float:
        return self.latency.get(command, self.latency.get("*", 0.0))

    def fail_next(
        self,
        command: str,
        count: int,
        errorcode: int,
        errortext: str,
        in_job: bool = False,
        cserrorcode: int | None = 9999,
        matching: dict[str, str] | None = None,
    ) -> None:
        error = ApiError(errorcode, errortext, cserrorcode)
        wanted = {name.lower(): value for name, value in (matching or {}).items()}
        self.failures[command] = Failure(count, error, in_job, wanted)

    def take_failure(self, command: str, in_job: bool, params: dict[str, str]) -> ApiError | None:
        failure = self.failures.get(command)
        if failure is None or failure.in_job != in_job or failure.remaining <= 0:
            return None
        if any(params.get(name) != value for name, value in failure.matching.items()):
            return None
        failure.remaining -= 1
        return failure.error

    def outage(self) -> bool:
        if self.outage_next > 0:
            self.outage_next -= 1
            return True
        return self.outage_rate > 0 and self.rng.random() < self.outage_rate
