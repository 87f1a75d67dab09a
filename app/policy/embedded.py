"""The in-process engine: Microsoft's rego-cpp (regopy), run in a worker process.

The worker keeps compiled interpreters per policy set; a policy that runs too long is
stopped by ending the worker, which is started again for the next evaluation. Every
failure becomes a PolicyError with a file and line, so the gate fails closed.
"""

from __future__ import annotations

import json
import multiprocessing
import re
import threading
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any

from app.policy.decide import decide
from app.policy.locate import find_call, find_conflict, line_of, unlocated
from app.policy.model import (
    Decision,
    PolicyError,
    PolicyFailure,
    PolicyFile,
    PolicySet,
)

_COMPILE_ERROR = re.compile(r"\(error \d+:([^|]*)\|(\d+)\|\d+\s+\(errormsg \d+:([^)]*)\)")
_RUNTIME_ERROR = re.compile(r"\(errormsg \d+:([^)\n]*)\)")
_NOT_FOUND = re.compile(r"Function not found: ([\w.]+)")


def _worker(connection: Connection) -> None:
    """Runs in the worker process: evaluate requests until the pipe closes."""
    from regopy import Interpreter, LogLevel
    from regopy.rego_shared import (
        RegoError,
        rego_free_output,
        rego_output_ok,
        rego_output_string,
        rego_query,
    )

    compiled: dict[str, Any] = {}
    while True:
        try:
            key, modules, data, input_json, query = connection.recv()
        except EOFError:
            return
        try:
            if key not in compiled:
                interpreter = Interpreter()
                interpreter.log_level = LogLevel.NONE
                for name, source in modules:
                    interpreter.add_module(name, source)
                interpreter.add_data_json(data)
                compiled[key] = interpreter
            compiled[key].set_input_term(input_json)
            output = rego_query(compiled[key]._impl, query)
            answer = {"ok": bool(rego_output_ok(output)), "text": rego_output_string(output)}
            rego_free_output(output)
        except RegoError as error:
            compiled.pop(key, None)
            answer = {"ok": False, "compile": str(error)}
        connection.send(answer)


@dataclass
class _Worker:
    process: BaseProcess
    connection: Connection


class EmbeddedEngine:
    name = "embedded (rego-cpp)"

    def __init__(self, timeout: float = 10.0) -> None:
        self.timeout = timeout
        self._worker: _Worker | None = None
        self._lock = threading.Lock()  # one worker process answers one question at a time

    def _start(self) -> _Worker:
        if self._worker is None or not self._worker.process.is_alive():
            context = multiprocessing.get_context("spawn")
            ours, theirs = context.Pipe()
            process = context.Process(
                target=_worker, args=(theirs,), daemon=True, name="rego-worker"
            )
            process.start()
            theirs.close()
            self._worker = _Worker(process, ours)
        return self._worker

    def close(self) -> None:
        if self._worker is not None:
            self._worker.connection.close()
            self._worker.process.kill()
            self._worker.process.join(timeout=5)
            self._worker = None

    def query(
        self,
        policies: PolicySet,
        input_doc: dict[str, Any],
        query: str,
        extra: tuple[PolicyFile, ...] = (),
    ) -> Any:
        """The value of ``query``; raises PolicyFailure naming the file and line on any error."""
        with self._lock:
            return self._query(policies, input_doc, query, extra)

    def _query(
        self,
        policies: PolicySet,
        input_doc: dict[str, Any],
        query: str,
        extra: tuple[PolicyFile, ...],
    ) -> Any:
        modules = [*policies.modules, *extra]
        worker = self._start()
        key = f"{policies.content_hash}/{len(extra)}/{hash(tuple(extra))}"
        worker.connection.send(
            (
                key,
                [(m.name, m.source) for m in modules],
                json.dumps(policies.data),
                json.dumps(input_doc),
                query,
            )
        )
        if not worker.connection.poll(self.timeout):
            self.close()
            raise PolicyFailure(
                unlocated(modules, f"evaluation took longer than {self.timeout:g}s and was stopped")
            )
        try:
            answer = worker.connection.recv()
        except (EOFError, OSError):
            self.close()
            raise PolicyFailure(
                unlocated(modules, "the policy engine stopped while evaluating")
            ) from None
        return _value(answer, modules)

    def evaluate(self, policies: PolicySet, input_doc: dict[str, Any]) -> Decision:
        return decide(self.query, self.name, policies, input_doc)


def _value(answer: dict[str, Any], modules: list[PolicyFile]) -> Any:
    if "compile" in answer:
        raise PolicyFailure(_compile_error(answer["compile"], modules))
    text = str(answer.get("text", ""))
    if answer["ok"] and text == "undefined":
        return None
    if answer["ok"] and not text.startswith("("):
        expressions = json.loads(text).get("expressions", [None])
        return expressions[0] if expressions else None
    detail = _RUNTIME_ERROR.search(text)
    message = detail[1] if detail else "a rule produced conflicting values"
    missing = _NOT_FOUND.search(message)
    located = find_call(modules, missing[1]) if missing else find_conflict(modules)
    raise PolicyFailure(located or unlocated(modules, message))


def _compile_error(text: str, modules: list[PolicyFile]) -> PolicyError:
    found = _COMPILE_ERROR.search(text)
    if not found:
        return unlocated(
            modules, text.strip().splitlines()[0] if text.strip() else "the policies do not compile"
        )
    name, offset, message = found[1], int(found[2]), found[3]
    source = next((m.source for m in modules if m.name == name), "")
    missing = _NOT_FOUND.search(message)
    if missing:
        return find_call(modules, missing[1]) or PolicyError(name, line_of(source, offset), message)
    return PolicyError(name, line_of(source, offset), message)
