"""`stackgate demo` tells the whole story on embedded defaults, in a process of its own."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys

import httpx

from tests.leaks import printed


def _demo(*args: str) -> subprocess.CompletedProcess[str]:
    # A shell's STACKGATE_* must not steer the demo to a real cloud, forge or database.
    env = os.environ | {
        "STACKGATE_CLOUDSTACK_URL": "https://cloud.invalid/client/api",
        "STACKGATE_DATABASE_URL": "postgresql://nobody@db.invalid/stackgate",
        "COLUMNS": "160",
    }
    done = subprocess.run(
        [sys.executable, "-m", "app", "demo", *args],
        capture_output=True, text=True, timeout=240, env=env, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    return printed(done, "stackgate demo")


def test_the_demo_proposes_plans_approves_merges_and_applies() -> None:
    done = _demo("--no-serve", "--port", "0")
    told = done.stdout
    assert done.returncode == 0, told[-3000:] + done.stderr[-3000:]
    assert done.stderr == ""  # the service logs to its own file, not over the story
    steps = [
        "# 55 changes applied",  # the empty sandbox brought to main first
        "+  web-3: *web",  # the proposal's diff
        "**Plan: 1 to create, 1 to update, 0 to replace, 0 to delete**",
        "| + create | instance | `web-3` |",
        "members: web-1, web-2 → web-1, web-2, web-3",
        "stackgate/approval   failure  Waiting for 1 approval from @payments-leads, alice",
        "stackgate/approval   success  Required approvals present",
        "### ✅ Applied to CloudStack at",
        "All 2 change(s) applied. The projects are unlocked.",
        "stackgate/apply      success  Applied 2 change(s)",
        "The dashboard was at http://127.0.0.1:",
    ]
    at = [told.find(step) for step in steps]
    assert -1 not in at, [s for s, i in zip(steps, at, strict=True) if i == -1]
    assert at == sorted(at)  # in the order a user lives them
    assert "<!--" not in told and "<details>" not in told  # hidden marks stay hidden


def test_with_serve_the_dashboard_stays_up_until_interrupted() -> None:
    env = os.environ | {"COLUMNS": "160", "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "app", "demo", "--serve", "--port", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )  # fmt: skip
    assert process.stdout is not None
    told: list[str] = []
    try:
        for line in process.stdout:
            told.append(line)
            if "Serving until Ctrl-C" in line:
                break
        url = re.search(r"Open (http://127\.0\.0\.1:\d+/)", "".join(told))
        assert url, "".join(told)[-3000:]
        page = httpx.get(url[1], timeout=30)
        assert page.status_code == 200
        assert "payments/instance/web-3" in page.text  # the merged change, applied
        assert "a third web server" not in page.text  # merged: no longer an open PR
    finally:
        process.send_signal(signal.SIGINT)
        rest, errors = process.communicate(timeout=60)
    assert process.returncode == 0, errors[-3000:]
    assert "Stopped." in rest
    printed(subprocess.CompletedProcess(process.args, 0, "".join(told) + rest, errors), "demo")
