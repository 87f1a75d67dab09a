"""An apply's verdict counts every step: one whose create is done but whose follow-up (tags,
static NAT, a job that outlived the wait) did not finish is neither applied nor failed, and
the verdict says it is unfinished rather than "0 failed" beside a missing change."""

from __future__ import annotations

from rich.console import Console

from app.apply.journal import DONE, FAILED, STARTED, Run, StepRecord
from app.report.apply_markdown import applied
from app.report.apply_text import render_apply
from tests.report.plans import empty_plan


def _run(*states: str) -> Run:
    steps = tuple(
        StepRecord(n, f"app/instance/vm-{n}", "create", state, None, None, None)
        for n, state in enumerate(states)
    )
    return Run(1, empty_plan(), steps, plan_hash="sha256:" + "0" * 64, state="failed")


def _terminal(run: Run) -> str:
    console = Console(width=200, record=True, color_system=None)
    console.print(render_apply(run))
    return console.export_text()


def test_an_unfinished_step_is_counted_in_both_verdicts() -> None:
    run = _run(DONE, DONE, STARTED)
    assert "Applied 2 of 3; 0 failed, 0 skipped, 1 unfinished." in _terminal(run)
    assert "**2 of 3 change(s) applied; 0 failed, 0 skipped, 1 unfinished.**" in applied(
        run, "c" * 40, "pull request"
    )


def test_a_run_without_unfinished_steps_does_not_mention_them() -> None:
    run = _run(DONE, FAILED)
    assert "Applied 1 of 2; 1 failed, 0 skipped." in _terminal(run)
    assert "unfinished" not in applied(run, "c" * 40, "pull request")
