"""The OPA server engine, through opa-python-client: policies pushed by content hash, queried.

One OPA may serve many policy sets at once (repos, base refs), so each set is pushed under
its own namespace: every ``package x`` becomes ``package sg_<hash>.x`` and every ``data.x``
``data.sg_<hash>.x`` (its data too); line numbers are unchanged, so OPA's errors still point
at the right line of the file people wrote.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlparse

import requests
from opa_client import OpaClient
from opa_client.errors import RegoParseError

from app.policy.decide import decide
from app.policy.locate import unlocated
from app.policy.model import (
    Decision,
    PolicyError,
    PolicyFailure,
    PolicyFile,
    PolicySet,
)

MAX_ROUNDS = 10  # modules that call functions of modules not yet loaded are pushed again


_STRING_OR_DATA = re.compile(r'("(?:[^"\\\n]|\\.)*"|`[^`]*`|#[^\n]*)|\bdata\.')


def namespaced(source: str, namespace: str) -> str:
    """Rewrite a module into the set's own namespace, keeping every line where it was; text in
    strings and comments is left alone."""
    source = re.sub(r"^(package\s+)", rf"\g<1>{namespace}.", source, flags=re.MULTILINE)
    return _STRING_OR_DATA.sub(lambda m: m[1] or f"data.{namespace}.", source)


class OpaEngine:
    name = "OPA server"

    def __init__(self, url: str, timeout: float = 10.0) -> None:
        parsed = urlparse(url)
        self.client = OpaClient(
            host=parsed.hostname or "localhost",
            port=parsed.port or (443 if parsed.scheme == "https" else 8181),
            ssl=parsed.scheme == "https",
            timeout=timeout,
        )
        self.timeout = timeout
        self._pushed: set[str] = set()

    def close(self) -> None:
        self.client.close_connection()

    def _namespace(self, policies: PolicySet, extra: tuple[PolicyFile, ...]) -> str:
        digest = (
            policies.content_hash
            if not extra
            else PolicySet(policies.modules + extra, data=policies.data).content_hash
        )
        return f"sg_{digest[:16]}"

    def _push(self, policies: PolicySet, extra: tuple[PolicyFile, ...], namespace: str) -> None:
        if namespace in self._pushed:
            return
        for root, document in policies.data.items():
            self.client.update_or_create_data(document, f"{namespace}/{root}")
        pending = {f"{namespace}/{m.name}": m for m in (*policies.modules, *extra)}
        errors: dict[str, PolicyError] = {}
        for _ in range(MAX_ROUNDS):
            errors = {}
            for policy_id, module in list(pending.items()):
                try:
                    self.client.update_policy_from_string(
                        namespaced(module.source, namespace), policy_id, rego_compat=False
                    )
                    del pending[policy_id]
                except RegoParseError as problem:
                    errors[policy_id] = _parse_error(problem, module)
            if not pending or not _waiting(errors):
                break
        if pending:
            raise PolicyFailure(next(iter(errors.values())))
        self._pushed.add(namespace)

    def query(
        self,
        policies: PolicySet,
        input_doc: dict[str, Any],
        query: str,
        extra: tuple[PolicyFile, ...] = (),
    ) -> Any:
        policies = policies.together
        namespace = self._namespace(policies, extra)
        modules = [*policies.modules, *extra]
        try:
            self._push(policies, extra, namespace)
            path = f"{namespace}.{query.removeprefix('data.')}"
            # A built-in that fails is an error with its file and line, not an undefined rule.
            answer = self.client.query_rule(
                input_doc, path, query_params={"strict-builtin-errors": True}
            )
        except requests.Timeout:
            raise PolicyFailure(
                unlocated(modules, f"evaluation took longer than {self.timeout:g}s")
            ) from None
        except requests.HTTPError as problem:
            raise PolicyFailure(_runtime_error(problem, modules, namespace)) from None
        except requests.RequestException as problem:
            raise PolicyFailure(
                PolicyError("OPA", 0, f"OPA could not be reached: {type(problem).__name__}")
            ) from None
        return answer.get("result")

    def evaluate(self, policies: PolicySet, input_doc: dict[str, Any]) -> Decision:
        return decide(self.query, self.name, policies, input_doc)


def _waiting(errors: dict[str, PolicyError]) -> bool:
    """Errors that another module's push may cure (a function defined in a module not yet in)."""
    return any("undefined function" in error.message for error in errors.values())


def _parse_error(problem: RegoParseError, module: PolicyFile) -> PolicyError:
    for detail in problem.errors or []:
        location = detail.get("location") or {}
        return PolicyError(
            module.name, int(location.get("row", 0)), _plain(str(detail.get("message", "")))
        )
    return PolicyError(module.name, 0, _plain(str(problem.message)))


def _runtime_error(
    problem: requests.HTTPError, modules: list[PolicyFile], namespace: str
) -> PolicyError:
    try:
        body = problem.response.json() if problem.response is not None else {}
    except ValueError:
        body = {}
    for detail in body.get("errors") or [body]:
        location = detail.get("location") or {}
        file = str(location.get("file", "")).removeprefix(f"{namespace}/")
        if file:
            return PolicyError(
                file, int(location.get("row", 0)), _plain(str(detail.get("message", "")))
            )
    return unlocated(
        modules, _plain(str(body.get("message", "OPA could not evaluate the policies")))
    )


def _plain(message: str) -> str:
    """OPA's text without the namespace it was given."""
    return re.sub(r"\bsg_[0-9a-f]{16}[./]", "", message)
