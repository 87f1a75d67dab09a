"""The whole-suite verdicts across pytest-xdist workers: each worker runs only part of the suite,
so each writes what its secrets scan, GitHub checks and plans found to a folder the run shares,
and a verdict waits for every worker's findings and judges them all together.

A worker writes its findings as it reaches each verdict (everything else it was given has run
and been torn down by then: the verdicts are collected last) and as its session ends.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from app.spec.diagnostics import Code
from tests.fakes.github_openapi import LEDGER, Violation
from tests.leaks import SCANNER, Leak, Scanner
from tests.unit.plan.cloud import SEEN

KEY = "stackgate_findings"
WAIT = 30 * 60  # a verdict waits at most this long for the other workers' last tests


def shared_folder(config: pytest.Config) -> Path:
    """The controller's folder for this run's findings (made on first use)."""
    folder: str | None = getattr(config, "_stackgate_findings", None)
    if folder is None:
        folder = tempfile.mkdtemp(prefix="stackgate-findings-")
        config._stackgate_findings = folder  # type: ignore[attr-defined]
    return Path(folder)


def remove_shared_folder(config: pytest.Config) -> None:
    folder: str | None = getattr(config, "_stackgate_findings", None)
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)


def _worker(config: pytest.Config) -> tuple[Path, str, int] | None:
    """This worker's shared folder, its id and how many workers run; None when not a worker."""
    given: dict[str, Any] | None = getattr(config, "workerinput", None)
    if given is None or KEY not in given:
        return None
    return Path(given[KEY]), given["workerid"], int(given["workercount"])


def publish(config: pytest.Config) -> None:
    """Write this worker's findings so far (a no-op when the run is not split)."""
    worker = _worker(config)
    if worker is None:
        return
    folder, me, _ = worker
    findings = {
        "secrets": SCANNER.secrets,
        "seen": dict(SCANNER.seen),
        "leaks": [[leak.channel, leak.where, leak.secret] for leak in SCANNER.leaks],
        "found": [[violation.test, violation.what] for violation in LEDGER.found],
        "codes": sorted(code.value for code in SEEN),
    }
    partial = folder / f"{me}.partial"
    partial.write_text(json.dumps(findings), encoding="utf-8")
    partial.replace(folder / f"{me}.json")  # whole or absent, never half written


def _others(config: pytest.Config) -> list[dict[str, Any]]:
    """Every other worker's findings, once each has written them; in the controller (its
    summary line), what the workers wrote."""
    worker = _worker(config)
    if worker is None:
        folder = getattr(config, "_stackgate_findings", None)
        written = sorted(Path(folder).glob("*.json")) if folder else []
        return [json.loads(path.read_text(encoding="utf-8")) for path in written]
    folder, me, count = worker
    deadline = time.monotonic() + WAIT
    # by count, not name: a crashed worker's replacement (a new id) writes in its stead
    while len(waiting := [p for p in folder.glob("gw*.json") if p.stem != me]) < count - 1:
        assert time.monotonic() < deadline, f"{len(waiting)} of {count - 1} workers finished"
        time.sleep(0.5)
    return [json.loads(path.read_text(encoding="utf-8")) for path in waiting]


def whole_suite_scan(config: pytest.Config) -> Scanner:
    """The secrets scan of every worker (this process's own when the run is not split)."""
    scanner = Scanner(dict(SCANNER.secrets), Counter(SCANNER.seen), list(SCANNER.leaks))
    for other in _others(config):
        for value, kind in other["secrets"].items():
            scanner.secrets.setdefault(value, kind)
        scanner.seen.update(other["seen"])
        scanner.leaks += [Leak(*leak) for leak in other["leaks"]]
    return scanner


def whole_suite_violations(config: pytest.Config) -> list[Violation]:
    """Every worker's GitHub check violations (this process's own when the run is not split)."""
    found = list(LEDGER.found)
    for other in _others(config):
        found += [Violation(*violation) for violation in other["found"]]
    return found


def whole_suite_codes(config: pytest.Config) -> set[Code]:
    """Every diagnostic code the workers' plans gave (this process's own when not split)."""
    codes = set(SEEN)
    for other in _others(config):
        codes |= {Code(value) for value in other["codes"]}
    return codes
