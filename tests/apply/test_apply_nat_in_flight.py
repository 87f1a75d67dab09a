"""`stackgate apply` killed while a static NAT move (disableStaticNat's job, or the
enableStaticNat after it) or an affinity group's create is in flight: the resumed apply ends
where the repo says, with each call sent once."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from tests.apply.cloud import converged, env_for, knobs, stackgate
from tests.apply.test_apply_affinity_nat import (
    PROJECT,
    applied,
    calls,
    edit,
    groups,
    make_repo,
    nat,
)

LATENCY = 4.0  # seconds the sandbox holds each request of the command in flight


def _in_state(tmp_path: Path, kind: str, state: str, action: str = "%") -> bool:
    """Whether the newest run has a step of this kind (and action) in this state (started:
    its call is out; submitted: its job id is journaled); none while the database is made."""
    try:
        with sqlite3.connect(f"file:{tmp_path / 'stackgate.db'}?mode=ro", uri=True) as db:
            rows = db.execute(
                "SELECT state FROM apply_steps WHERE address LIKE ? AND action LIKE ?"
                " AND run_id = (SELECT max(id) FROM apply_runs)",
                (f"%/{kind}/%", action),
            ).fetchall()
    except sqlite3.OperationalError:
        return False
    return (state,) in rows


def _wait_for(check: Any, what: str, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, f"never saw {what}"
        time.sleep(0.1)


def _killed_in_flight(
    sandbox: str, env: dict[str, str], repo: Path, tmp_path: Path, command: str, step: str
) -> None:
    """Run an apply, kill it once ``command`` is on the wire for a step (kind:state, or
    kind:state:action), then let the cloud take the call, as it does for a client that is
    no longer there."""
    kind, state, *action = step.split(":")
    before = calls(sandbox, command)
    knobs(sandbox, latency={command: LATENCY})
    process = subprocess.Popen(
        [sys.executable, "-m", "app", "apply", str(repo), "--auto-approve"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        _wait_for(lambda: _in_state(tmp_path, kind, state, *action), step)
        time.sleep(1.0)  # on the wire: CloudStack has not answered
    finally:
        process.kill()
        process.wait()
    _wait_for(lambda: calls(sandbox, command) == before + 1, f"{command} taken")
    knobs(sandbox, latency={command: 0})


@pytest.mark.parametrize(
    ("command", "step"),
    [
        ("disableStaticNat", "public_ip:started"),  # its job id not journaled yet
        ("enableStaticNat", "public_ip:submitted"),  # after disableStaticNat's job
    ],
)
def test_a_static_nat_move_killed_in_flight_is_resumed_once(
    sandbox: str, tmp_path: Path, command: str, step: str
) -> None:
    env = env_for(sandbox, tmp_path)
    repo, payments = make_repo(tmp_path)
    applied(env, repo)
    edit(payments, ("static_nat: web-1", "static_nat: web-2"))
    sent = {name: calls(sandbox, name) for name in ("disableStaticNat", "enableStaticNat")}
    _killed_in_flight(sandbox, env, repo, tmp_path, command, step)
    resumed = stackgate(env, "apply", str(repo), "--auto-approve")
    assert resumed.returncode == 0, resumed.stdout[-3000:]
    assert resumed.stdout.startswith("Resuming apply")
    converged(env, repo)
    assert list(nat(sandbox).values()) == ["web-2"]
    assert {name: calls(sandbox, name) - count for name, count in sent.items()} == {
        "disableStaticNat": 1,
        "enableStaticNat": 1,
    }


def test_an_affinity_group_made_while_killed_is_not_made_twice(
    sandbox: str, tmp_path: Path
) -> None:
    env = env_for(sandbox, tmp_path)
    repo, _ = make_repo(tmp_path, PROJECT)
    _killed_in_flight(sandbox, env, repo, tmp_path, "createAffinityGroup", "affinity_group:started")
    resumed = stackgate(env, "apply", str(repo), "--auto-approve")
    assert resumed.returncode == 0, resumed.stdout[-3000:]
    converged(env, repo)
    assert groups(sandbox) == {"spread": ("host anti-affinity", ["web-1", "web-2"])}
    assert calls(sandbox, "createAffinityGroup") == 1
