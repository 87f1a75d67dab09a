"""Notifications are part of the suite's secrets scan: receivers' URLs and secrets are
registered, and every body sent to a receiver is scanned."""

from __future__ import annotations

from pathlib import Path

from tests.leaks import SCANNER
from tests.notify.conftest import SECRET, notifying, receiver
from tests.notify.receiver import receiving


def test_receivers_secrets_are_registered_and_what_they_are_sent_is_scanned(
    tmp_path: Path,
) -> None:
    before = SCANNER.seen["notify"]
    with receiving() as hook, notifying(tmp_path, receiver("ops", hook.url)) as stackgate:
        stackgate.tell()
        stackgate.drain()
    assert SCANNER.secrets[SECRET] == "notify_receivers[0].secret"
    assert SCANNER.secrets[hook.url] == "notify_receivers[0].url"
    assert SCANNER.seen["notify"] == before + 1
