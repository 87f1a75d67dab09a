"""The secrets scan catches what it must: each channel is wired, and each kind registered."""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from app.background import serve_in_background
from app.config import Settings
from app.main import create_app
from tests.leaks import SCANNER, Leak, Scanner, printed

DC1 = "https://dc1.invalid/client/api"


@pytest.fixture
def canary() -> Iterator[str]:
    """A secret of the test's own; the leaks it causes are taken back so the verdict stays
    about stackgate."""
    value = "canary-" + secrets.token_hex(12)
    SCANNER.secret("test canary", value)
    before = len(SCANNER.leaks)
    yield value
    SCANNER.secrets.pop(value, None)
    del SCANNER.leaks[before:]


def caught(start: int) -> list[Leak]:
    return [leak for leak in SCANNER.leaks[start:] if leak.secret == "test canary"]


def test_a_secret_in_any_log_record_is_caught(canary: str) -> None:
    start = len(SCANNER.leaks)
    logging.getLogger("stackgate.somewhere").debug("the key is %s", canary)
    assert caught(start) == [Leak("log", "stackgate.somewhere", "test canary")]


def test_a_secret_in_an_answer_of_the_app_is_caught(canary: str, tmp_path: Path) -> None:
    hook = "a-webhook-secret-of-the-test"
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'db'}",
        worker_threads=0,
        github_webhook_secret=hook,
        github_token="ghp_never_used_by_this_test",
    )
    assert SCANNER.secrets[hook] == "github_webhook_secret"  # every Settings registers its own
    body = b'{"zen": "Keep it logically awesome."}'
    signature = "sha256=" + hmac.new(hook.encode(), body, hashlib.sha256).hexdigest()
    headers = {"X-GitHub-Event": "ping", "X-Hub-Signature-256": signature}
    start = len(SCANNER.leaks)
    served = serve_in_background(create_app(settings), "leak-test", lifespan="on")
    try:  # the answer names the delivery it got
        answer = httpx.post(
            served.base_url + "/webhooks/github",
            content=body,
            headers=headers | {"X-GitHub-Delivery": canary},
        )
    finally:
        served.stop()
    assert answer.json()["delivery"] == canary
    assert caught(start) == [Leak("answer", "/webhooks/github", "test canary")]


def test_a_secret_a_process_prints_is_caught(canary: str) -> None:
    start = len(SCANNER.leaks)
    done = subprocess.run(
        [sys.executable, "-c", f"print('{canary}')"], capture_output=True, text=True, check=True
    )
    printed(done, "a process")
    assert caught(start) == [Leak("process", "a process", "test canary")]


def test_secrets_come_from_settings_clouds_and_pem_lines(tmp_path: Path) -> None:
    scanner = Scanner()
    (tmp_path / "admin-secret").write_text("dc1-admin-secret-from-a-file\n")
    dc1 = {
        "url": DC1,
        "api_key": "dc1-api-key",
        "secret_key": "dc1-secret-key",
        "admin_api_key": "dc1-admin-api-key",  # the privileged key for projects and members
        "admin_secret_key_file": tmp_path / "admin-secret",
    }
    pem = "-----BEGIN KEY-----\n" + "A" * 64 + "\n-----END KEY-----"
    settings = Settings(
        github_token="ghp_registered_token",
        github_webhook_secret="hook-secret-registered",
        clouds={"dc1": dc1},
        github_app_private_key=pem,
        gitlab_token="short",  # too short to scan for without matching ordinary words
        gitlab_webhook_token="gitlab-hook-token",
    )
    scanner.settings(settings)
    assert scanner.secrets["ghp_registered_token"] == "github_token"
    assert scanner.secrets["dc1-secret-key"] == "clouds.dc1.secret_key"
    assert scanner.secrets["dc1-admin-api-key"] == "clouds.dc1.admin_api_key"
    assert scanner.secrets["dc1-admin-secret-from-a-file"] == "clouds.dc1.admin_secret_key_file"
    assert scanner.secrets["A" * 64] == "github_app_private_key"  # one line of the key
    assert "short" not in scanner.secrets
    scanner.observe("forge", "status: all fine")
    scanner.observe("forge", "body ... AAAA" + "A" * 64, "github")
    assert scanner.leaks == [Leak("forge", "github", "github_app_private_key")]
    assert scanner.seen["forge"] == 2
