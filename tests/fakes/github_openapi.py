"""GitHub's own OpenAPI documents, so the GitHub fake is held to what GitHub publishes rather than
to what we believe: each request, answer and webhook delivery is checked against them."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError, best_match
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

# Pinned as in the Makefile's github-specs target (tests/forges/github/test_openapi.py keeps
# the two equal); `make github-specs` fetches them with npm pack.
REST_VERSION = "23.0.2"  # @octokit/openapi
WEBHOOKS_VERSION = "12.1.0"  # @octokit/openapi-webhooks
TOOLS = Path(__file__).resolve().parents[2] / ".tools" / "github"

# Keywords of OpenAPI 3.0 that are no JSON Schema assertion (``nullable`` is translated).
_ANNOTATIONS = frozenset({"nullable", "example", "examples", "discriminator", "xml"})
_SCHEMA_MAPS = ("properties", "patternProperties")
_SCHEMA_ONE = ("items", "additionalProperties", "not")
_SCHEMA_LISTS = ("allOf", "anyOf", "oneOf")
_FORMATS = FormatChecker(formats=())


@_FORMATS.checks("date-time", raises=ValueError)
def _date_time(value: object) -> bool:
    return not isinstance(value, str) or bool(datetime.fromisoformat(value))


class Document:
    """One OpenAPI document; its component schemas are converted when a check first needs them."""

    def __init__(self, path: Path) -> None:
        if not path.exists():
            raise FileNotFoundError(f"{path.name} is missing: `make github-specs` fetches it")
        self.raw: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        self.urn = f"urn:{path.stem}:"
        self._lock = threading.Lock()
        self.converted = cache(self._retrieve)  # a component, converted when first referred to
        self.registry: Registry[Any] = Registry(retrieve=self.converted)  # type: ignore[call-arg]

    def validator(self, schema: dict[str, Any]) -> Draft202012Validator:
        return Draft202012Validator(
            self.schema(schema), registry=self.registry, format_checker=_FORMATS
        )

    def follow(self, node: dict[str, Any]) -> dict[str, Any]:
        """A parameter, response or body object, through its ``$ref`` if it has one."""
        while "$ref" in node:
            node = self._at(node["$ref"].removeprefix("#/"))
        return node

    def schema(self, node: Any) -> Any:
        """OpenAPI 3.0's schema dialect as JSON Schema 2020-12, component refs left to the
        registry so only the components a check reaches are ever converted."""
        if not isinstance(node, dict):
            return node
        if "$ref" in node:
            return {"$ref": self.urn + node["$ref"].removeprefix("#/")}
        made: dict[str, Any] = {}
        for key, value in node.items():
            if key in _SCHEMA_MAPS:
                made[key] = {name: self.schema(each) for name, each in value.items()}
            elif key in _SCHEMA_ONE:
                made[key] = self.schema(value)
            elif key in _SCHEMA_LISTS:
                made[key] = [self.schema(each) for each in value]
            elif key not in _ANNOTATIONS:
                made[key] = value
        return {"anyOf": [{"type": "null"}, made]} if node.get("nullable") else made

    def _retrieve(self, uri: str) -> Resource[Any]:
        with self._lock:
            return DRAFT202012.create_resource(self.schema(self._at(uri.removeprefix(self.urn))))

    def _at(self, pointer: str) -> dict[str, Any]:
        node: Any = self.raw
        for part in pointer.split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
        return dict(node)


def problems(validator: Draft202012Validator, instance: Any, where: str) -> list[str]:
    """At most three schema errors, each with the JSON path it is about."""
    found = [best_match([error]) for error in validator.iter_errors(instance)]
    found.sort(key=lambda error: list(map(str, error.absolute_path)))
    return [f"{where} {_explain(error)}" for error in found[:3]]


def _explain(error: ValidationError) -> str:
    """The error's path and words; for an unmet oneOf/anyOf, what each branch missed."""
    path = "/" + "/".join(map(str, error.absolute_path))
    if not error.context:
        return f"{path}: {error.message[:200]}"
    causes = sorted({_explain(cause) for cause in error.context})
    return f"{path}: no branch of {error.validator} fits: " + "; ".join(causes[:4])


@dataclass(frozen=True)
class Violation:
    """Something the fake was asked or answered that GitHub's documents say is not so."""

    test: str  # the test running when it happened ("" outside any test)
    what: str


@dataclass
class Ledger:
    """Every violation of the session; the per-test check and the whole-suite verdict read it."""

    test: str = ""
    found: list[Violation] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, what: list[str]) -> None:
        with self._lock:
            self.found += [Violation(self.test, each) for each in what]

    def since(self, start: int) -> list[Violation]:
        with self._lock:
            return self.found[start:]

    @contextmanager
    def expected(self) -> Iterator[list[str]]:
        """For a test of the checks themselves: what is recorded inside is handed to the test
        instead of failing it."""
        start, taken = len(self.found), list[str]()
        yield taken
        with self._lock:
            taken += [violation.what for violation in self.found[start:]]
            del self.found[start:]


LEDGER = Ledger()


@cache
def webhooks() -> Document:
    return Document(TOOLS / f"openapi-webhooks@{WEBHOOKS_VERSION}.json")


@cache
def _webhook_validator(key: str) -> Draft202012Validator | None:
    hook = webhooks().raw["webhooks"].get(key)
    if hook is None:
        return None
    body = webhooks().follow(hook["post"]["requestBody"])
    return webhooks().validator(body["content"]["application/json"]["schema"])


def check_webhook(event: str, payload: dict[str, Any]) -> list[str]:
    """A delivery against @octokit/openapi-webhooks, whose keys read like pull-request-opened."""
    action = payload.get("action")
    key = (f"{event}-{action}" if action else event).replace("_", "-")
    validator = _webhook_validator(key) or _webhook_validator(event.replace("_", "-"))
    if validator is None:
        return [f"webhook {key}: GitHub documents no such delivery"]
    return problems(validator, payload, f"webhook {key}")


@dataclass(frozen=True)
class Operation:
    """What GitHub documents for one method on one path template."""

    name: str  # "GET /repos/{owner}/{repo}" (the operationId is less readable in a failure)
    params: dict[tuple[str, str], tuple[bool, dict[str, Any]]]  # (in, name) → (required, schema)
    body: dict[str, Any] | None  # the operation's requestBody object, if it takes one
    responses: dict[str, Any]  # status → response object


@dataclass(frozen=True)
class _Route:
    template: str
    pattern: re.Pattern[str]
    literal: int  # how much of the template is literal: the most literal match wins


class Rest:
    """@octokit/openapi's api.github.com document: its routes and their checks."""

    def __init__(self) -> None:
        self.doc = Document(TOOLS / f"openapi@{REST_VERSION}.json")
        paths: dict[str, Any] = self.doc.raw["paths"]
        self.routes = [self._route(template, item) for template, item in paths.items()]
        self.validators: dict[str, Draft202012Validator] = {}

    def _route(self, template: str, item: dict[str, Any]) -> _Route:
        # A git ref holds slashes (git/ref/heads/main) wherever the document names one, though
        # it marks only some parameters x-multi-segment.
        spanning = {"ref"} | {
            self.doc.follow(param)["name"]
            for op in item.values()
            if isinstance(op, dict)
            for param in op.get("parameters", [])
            if self.doc.follow(param).get("x-multi-segment")
        }

        def part(match: re.Match[str]) -> str:
            name = match.group(1)
            return f"(?P<{name}>{'.+' if name in spanning else '[^/]+'})"

        pattern = re.sub(r"\\\{(\w+)\\\}", part, re.escape(template))
        return _Route(template, re.compile(pattern + "$"), len(re.sub(r"\{\w+\}", "", template)))

    def find(self, method: str, path: str) -> tuple[Operation | None, dict[str, str]]:
        found = [(route, m) for route in self.routes if (m := route.pattern.match(path))]
        for route, match in sorted(found, key=lambda pair: -pair[0].literal):
            op = self.operation(route.template, method.lower())
            if op is not None:
                return op, match.groupdict()
        return None, {}

    @cache  # noqa: B019 - one Rest per process (rest() is cached), so nothing is held too long
    def operation(self, template: str, method: str) -> Operation | None:
        item = self.doc.raw["paths"][template]
        op = item.get(method)
        if op is None:
            return None
        params = {}
        for param in [*item.get("parameters", []), *op.get("parameters", [])]:
            shaped = self.doc.follow(param)
            params[(shaped["in"], shaped["name"])] = (
                bool(shaped.get("required")),
                shaped.get("schema", {}),
            )
        body = self.doc.follow(op["requestBody"]) if "requestBody" in op else None
        return Operation(f"{method.upper()} {template}", params, body, op.get("responses", {}))

    def check(self, schema: dict[str, Any], instance: Any, where: str) -> list[str]:
        """``instance`` against ``schema``, compiled once per place (``where``) it is checked."""
        validator = self.validators.get(where)
        if validator is None:
            validator = self.validators[where] = self.doc.validator(schema)
        return problems(validator, instance, where)


@cache
def rest() -> Rest:
    return Rest()


def check_request(
    method: str, path: str, query: list[tuple[str, str]], body: Any
) -> tuple[Operation | None, list[str]]:
    """The operation GitHub would route this request to, and why GitHub would refuse it."""
    spec = rest()
    op, values = spec.find(method, path)
    if op is None:
        return None, [f"{method} {path}: GitHub documents no such operation"]
    found: list[str] = []
    given = [("path", name, value) for name, value in values.items()]
    for where, name, value in [*given, *(("query", name, value) for name, value in query)]:
        if (where, name) not in op.params:
            found.append(f"{op.name}: {name} is no documented {where} parameter")
            continue
        schema = op.params[(where, name)][1]
        found += spec.check(schema, _typed(value, schema), f"{op.name} {where} {name}")
    asked = {(where, name) for where, name, _ in given} | {("query", n) for n, _ in query}
    found += [
        f"{op.name}: the {where} parameter {name} is required"
        for (where, name), (required, _) in op.params.items()
        if required and where in ("path", "query") and (where, name) not in asked
    ]
    if op.body is None and body is not None:
        found.append(f"{op.name}: takes no request body")
    elif op.body is not None and body is None and op.body.get("required"):
        found.append(f"{op.name}: a request body is required")
    elif op.body is not None and body is not None:
        schema = op.body["content"]["application/json"]["schema"]
        found += spec.check(schema, body, f"{op.name} body")
    return op, found


def check_answer(op: Operation, status: int, body: Any) -> list[str]:
    """An answer against the response GitHub documents for ``status``. A refusal GitHub gives
    on any route (bad credentials, rate limit, an outage) is not listed per operation."""
    response = op.responses.get(str(status))
    if response is None:
        return [] if status >= 400 else [f"{op.name}: GitHub documents no {status} answer"]
    content = rest().doc.follow(response).get("content", {}).get("application/json")
    if content is None:
        return [] if body is None else [f"{op.name} {status}: GitHub answers no body"]
    if body is None:
        return [f"{op.name} {status}: GitHub answers a body"]
    return rest().check(content["schema"], body, f"{op.name} {status}")


def _typed(value: str, schema: dict[str, Any]) -> Any:
    """A query or path string as the JSON value its schema describes."""
    kind = schema.get("type")
    if kind == "integer" and re.fullmatch(r"-?\d+", value):
        return int(value)
    if kind == "boolean" and value in ("true", "false"):
        return value == "true"
    if kind == "array":
        return value.split(",")
    return value
