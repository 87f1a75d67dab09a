"""The in-process engine: regorus (Microsoft's Rego interpreter in Rust), run in a worker process.

The worker keeps one compiled engine per policy set; a policy that runs too long is stopped by
ending the worker, which is started again for the next evaluation. Every failure becomes a
PolicyError with a file and line, so the gate fails closed.
"""

from __future__ import annotations

import json
import multiprocessing
import threading
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any

from app.policy.decide import decide
from app.policy.embedded_answer import value
from app.policy.locate import unlocated
from app.policy.model import PACKAGE, Decision, PolicyFailure, PolicyFile, PolicySet

# regorus leaves out a repo module's share of a partial set (``deny contains {...} if { some i
# in numbers.range(1, 900) ... }``) when the whole package is evaluated as one document, though
# the rule read on its own has it, as OPA does. The package is still evaluated whole (a boolean
# ``deny``, conflicting values, a slow or crashing rule fail closed there), and each decision
# set is read on its own beside it: the findings are the union of both.
_RULES = ("deny", "warn", "approvals")
_DECISION = (  # the sets first: read after the whole package, regorus repeats the gap
    "["
    + ", ".join(f"[x | x := data.{PACKAGE}.{rule}[_]]" for rule in _RULES)
    + f", data.{PACKAGE}]"
)


def _expression(query: str) -> str:
    return _DECISION if query == f"data.{PACKAGE}" else query


def _merged(query: str, answer: Any) -> Any:
    """The package document, its decision sets completed by the sets read one by one."""
    if query != f"data.{PACKAGE}" or not isinstance(answer, list) or len(answer) != 4:
        return answer
    *sets, document = answer
    if not isinstance(document, dict):
        return document
    merged = dict(document)
    for rule, read in zip(_RULES, sets, strict=True):
        whole = merged.get(rule)
        if isinstance(whole, list) and isinstance(read, list):
            merged[rule] = whole + [x for x in read if x not in whole]
    return merged


def _worker(connection: Connection) -> None:
    """Runs in the worker process: evaluate requests until the pipe closes."""
    from regorus import Engine

    compiled: dict[str, Any] = {}
    while True:
        try:
            key, modules, data, input_json, query = connection.recv()
        except (EOFError, OSError):  # the pipe closed: the parent ended or was killed
            return
        try:
            if key not in compiled:
                engine = Engine()
                for name, source in modules:
                    engine.add_policy(name, source)
                engine.add_data_json(data)
                compiled[key] = engine
            compiled[key].set_input_json(input_json)
            answer = {"ok": True, "text": compiled[key].eval_query_as_json(query)}
        except Exception as error:  # regorus raises RuntimeError for every kind of failure
            # Compiled again next time: an engine whose evaluation failed part way keeps nothing.
            compiled.pop(key, None)
            answer = {"ok": False, "text": str(error)}
        try:
            connection.send(answer)
        except OSError:  # the parent is gone (killed mid-question): nobody to answer
            return


@dataclass
class _Worker:
    process: BaseProcess
    connection: Connection


class EmbeddedEngine:
    name = "embedded (regorus)"

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
            answer = self._query(policies.together, input_doc, _expression(query), extra)
            return _merged(query, answer)

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
        request = (
            key,
            [(m.name, m.source) for m in modules],
            json.dumps(policies.data),
            json.dumps(input_doc),
            query,
        )
        try:
            worker.connection.send(request)
            if not worker.connection.poll(self.timeout):
                self.close()
                raise PolicyFailure(
                    unlocated(
                        modules, f"evaluation took longer than {self.timeout:g}s and was stopped"
                    )
                )
            answer = worker.connection.recv()
        except (EOFError, OSError):  # the worker died: killed, out of memory, a crash
            self.close()
            raise PolicyFailure(
                unlocated(modules, "the policy engine stopped while evaluating")
            ) from None
        return value(answer, modules)

    def evaluate(self, policies: PolicySet, input_doc: dict[str, Any]) -> Decision:
        return decide(self.query, self.name, policies, input_doc)
