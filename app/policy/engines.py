"""One interface, two engines that must agree: in-process regorus, or an OPA server."""

from __future__ import annotations

from typing import Any, Protocol

from app.policy.embedded import EmbeddedEngine
from app.policy.model import Decision, PolicyFile, PolicySet
from app.policy.opa_server import OpaEngine


class PolicyEngine(Protocol):
    name: str

    def evaluate(self, policies: PolicySet, input_doc: dict[str, Any]) -> Decision:
        """The decision for one input, the repo's policies only adding to the platform's
        (PolicySet.layers); never raises for a broken policy (errors fail closed)."""
        ...

    def query(
        self,
        policies: PolicySet,
        input_doc: dict[str, Any],
        query: str,
        extra: tuple[PolicyFile, ...] = (),
    ) -> Any:
        """One query's value, every module of the set (the repo's too) and ``extra`` (tests)
        loaded together; raises PolicyFailure."""
        ...

    def close(self) -> None: ...


def engine_for(opa_url: str | None, timeout: float = 10.0) -> PolicyEngine:
    """The OPA server when a URL is set, else the embedded engine (the default)."""
    return OpaEngine(opa_url, timeout) if opa_url else EmbeddedEngine(timeout)
