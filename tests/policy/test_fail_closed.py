"""A broken policy never lets a change through: every failure is an error naming file and line."""

from __future__ import annotations

import json
import multiprocessing
import threading
from dataclasses import replace

import pytest

from app.policy.embedded import EmbeddedEngine, _worker
from app.policy.engines import PolicyEngine
from app.policy.model import PolicyFile, PolicySet

INPUT: dict[str, object] = {"changes": [], "quotas": {}, "projects": {}, "pull_request": None}


def _with(defaults: PolicySet, *files: tuple[str, str]) -> PolicySet:
    return replace(
        defaults, modules=defaults.modules + tuple(PolicyFile(name, text) for name, text in files)
    )


BROKEN = {
    "syntax error": (
        [
            (
                "repo:policies/broken.rego",
                "package stackgate\n\ndeny contains x if {\n\tx := 1 +\n}\n",
            )
        ],
        "repo:policies/broken.rego",
        {4, 5},
    ),
    "unknown function": (
        [
            (
                "repo:policies/broken.rego",
                "package stackgate\n\ndeny contains x if {\n\tx := no_such_function(1)\n}\n",
            )
        ],
        "repo:policies/broken.rego",
        {4},
    ),
    "conflicting values": (
        [
            ("repo:policies/a.rego", 'package stackgate\n\nowner := "a"\n'),
            ("repo:policies/b.rego", 'package stackgate\n\nowner := "b"\n'),
        ],
        "repo:policies/b.rego",
        {3},
    ),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_broken_policies_fail_closed_with_file_and_line(
    engine: PolicyEngine, defaults: PolicySet, case: str
) -> None:
    files, file, lines = BROKEN[case]
    decision = engine.evaluate(_with(defaults, *files), INPUT)
    assert not decision.passed
    assert len(decision.errors) == 1
    error = decision.errors[0]
    assert (error.file, error.line in lines) == (file, True), error


def test_a_decision_in_the_wrong_shape_fails_closed(
    engine: PolicyEngine, defaults: PolicySet
) -> None:
    shapeless = (
        "repo:policies/shapeless.rego",
        'package stackgate\n\ndeny contains "just a string" if true\n',
    )
    decision = engine.evaluate(_with(defaults, shapeless), INPUT)
    assert not decision.passed and decision.deny == ()
    assert "without msg" in decision.errors[0].message


SLOW = (
    "repo:policies/slow.rego",
    "package stackgate\n\nn := count([x | some a in numbers.range(1, 4000); "
    "some b in numbers.range(1, 4000); x := a * b])\n",
)


def test_a_policy_that_runs_too_long_is_stopped(defaults: PolicySet) -> None:
    engine = EmbeddedEngine(timeout=1)
    try:
        decision = engine.evaluate(_with(defaults, SLOW), INPUT)
        assert not decision.passed
        assert "took longer than 1s" in decision.errors[0].message
        assert engine.evaluate(defaults, INPUT).passed  # the next evaluation gets a fresh worker
    finally:
        engine.close()


def test_an_engine_crash_is_an_error_not_a_pass(defaults: PolicySet) -> None:
    """A worker that dies while it evaluates (killed here, as the kernel's OOM killer would)
    fails the gate, and the next evaluation gets a fresh worker."""
    engine = EmbeddedEngine(timeout=30)
    try:
        assert engine.evaluate(defaults, INPUT).passed
        worker = engine._start()
        threading.Timer(0.5, worker.process.kill).start()
        decision = engine.evaluate(_with(defaults, SLOW), INPUT)
        assert not decision.passed
        assert decision.errors and "stopped" in decision.errors[0].message
        assert engine.evaluate(defaults, INPUT).passed
    finally:
        engine.close()


def test_with_input_as_is_evaluated(engine: PolicyEngine, defaults: PolicySet) -> None:
    """`with input as` reaching a comparison (which crashed the former engine, rego-cpp)."""
    overridden = (
        "repo:policies/overridden.rego",
        'package stackgate\n\nlimit_reached if input.a > 1\n\ndeny contains {"msg": "x", '
        '"resource": "r", "rule": "custom/with"} if {\n\tlimit_reached with input as {"a": 3}\n}\n',
    )
    decision = engine.evaluate(_with(defaults, overridden), INPUT)
    assert decision.errors == ()
    assert [f.rule for f in decision.deny] == ["custom/with"]


def test_an_unreachable_opa_fails_closed(defaults: PolicySet) -> None:
    from app.policy.opa_server import OpaEngine

    engine = OpaEngine("http://127.0.0.1:9", timeout=1)
    decision = engine.evaluate(defaults, INPUT)
    assert not decision.passed and "OPA could not be reached" in decision.errors[0].message


def test_the_worker_ends_quietly_when_its_parent_is_gone(defaults: PolicySet) -> None:
    """A `stackgate worker` killed while its policy worker evaluates leaves that process
    answering into a closed pipe: it ends without a traceback in the worker's log (the worker
    kill scenario forbids one), as it does when the pipe closes while it waits."""
    ours, theirs = multiprocessing.Pipe()
    modules = [(m.name, m.source) for m in defaults.modules]
    ours.send(("key", modules, json.dumps(defaults.data), "{}", "data.stackgate"))
    ours.close()  # the parent died with the question in the pipe
    _worker(theirs)  # answers into the closed pipe, then returns
