"""Jobs run on the service's own worker threads, or in a separate `stackgate worker` process."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from app.service import build_worker
from app.store.tables import Job
from tests.leaks import printed_to
from tests.scenarios.harness import Stackgate, forge_settings
from tests.scenarios.test_pull_requests import LABEL, edit, plan_comments


def _eventually(check: Callable[[], bool], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "the job did not finish in time"
        time.sleep(0.1)


def test_the_in_process_threads_pick_up_a_delivery(fake, repo, stackgate: Stackgate) -> None:
    threaded = build_worker(stackgate.services, threads=2, poll=0.05)
    threaded.start()
    try:
        number, delivery = fake.open_pr(repo, "bob", edit(*LABEL))
        assert stackgate.send(delivery).status_code == 202
        _eventually(lambda: len(plan_comments(fake, repo, number)) == 1)
        _eventually(lambda: [job.state for job in stackgate.rows(Job)] == ["done"])
    finally:
        threaded.stop()


def test_a_separate_worker_process_runs_what_the_service_queued(
    fake, repo, stackgate: Stackgate, tmp_path: Path
) -> None:
    settings = forge_settings(fake, tmp_path / "stackgate.db")  # the harness's database
    env = {
        **os.environ,
        "STACKGATE_DATABASE_URL": settings.database_url,
        "STACKGATE_WORKER_THREADS": "0",
    }
    for name, value in settings.model_dump(mode="json").items():
        if name.startswith(("github_", "gitlab_")) and value is not None:
            env[f"STACKGATE_{name.upper()}"] = str(value)
    secrets = {"github_webhook_secret", "github_token", "gitlab_webhook_token", "gitlab_token"}
    for name in secrets:
        value = getattr(settings, name)
        if value is not None:
            env[f"STACKGATE_{name.upper()}"] = value.get_secret_value()
    number, delivery = fake.open_pr(repo, "bob", edit(*LABEL))
    assert stackgate.send(delivery).status_code == 202
    log = tmp_path / "worker.log"
    with log.open("wb") as output:
        worker = subprocess.Popen(
            [sys.executable, "-m", "app", "worker", "--threads", "1"],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        try:
            _eventually(lambda: len(plan_comments(fake, repo, number)) == 1)
            _eventually(lambda: [job.state for job in stackgate.rows(Job)] == ["done"])
            assert stackgate.rows(Job)[0].worker != stackgate.worker.name
        finally:
            worker.terminate()
            worker.wait(timeout=30)
    printed_to(log, "worker process")
    assert "Traceback" not in log.read_text(), log.read_text()
