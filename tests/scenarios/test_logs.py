"""Logs on each forge: one JSON object per line, each about its job, delivery and pull
request; debug level included, not one secret in them."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest

from app.logs import configure
from tests.fakes.base import ForgeFake
from tests.scenarios.harness import SECRET, Stackgate
from tests.scenarios.test_merges import approved_pr


@pytest.fixture
def output() -> Iterator[io.StringIO]:
    root = logging.getLogger()
    kept = (root.handlers[:], root.level)
    stream = io.StringIO()
    configure("json", "DEBUG", stream)
    yield stream
    root.handlers[:], _ = kept
    root.setLevel(kept[1])


def test_a_merge_tells_its_story_in_json_lines_without_secrets(
    fake: ForgeFake, repo: str, stackgate: Stackgate, output: io.StringIO
) -> None:
    number = approved_pr(stackgate, repo)
    stackgate.deliver(fake.close(repo, number, merged=True))
    lines = [json.loads(line) for line in output.getvalue().splitlines()]
    assert lines and all({"time", "level", "logger", "message"} <= set(line) for line in lines)
    # RFC 3339 in UTC, as 2026-12-06T15:31:25.489Z
    stamps = [line["time"] for line in lines]
    assert all(datetime.fromisoformat(at).utcoffset() == timedelta(0) for at in stamps)
    assert all(at.endswith("Z") for at in stamps)
    edge = [line for line in lines if line["logger"] == "stackgate.edge"]
    assert edge and all(line["delivery"] and line["forge"] == fake.name for line in edge)
    assert {line["message"] for line in edge} == {"delivery queued"}
    (applied,) = [line for line in lines if line["logger"] == "stackgate.apply"]
    assert applied["message"] == "apply run 1: 22 of 22 step(s) done"
    assert (applied["repo"], applied["pr"], applied["kind"]) == (repo, number, "close")
    cloud = [line for line in lines if line["logger"] == "stackgate.cloudstack"]
    deploys = [line for line in cloud if "deployVirtualMachine" in line["message"]]
    assert len(deploys) == 4 and {line.get("pr") for line in deploys} == {number}
    sandbox = stackgate.services.clouds.sandbox
    assert sandbox is not None
    secrets = [SECRET, fake.token, sandbox.api.state.api_key, sandbox.api.state.secret_key]  # type: ignore[attr-defined]
    text = output.getvalue()
    assert [secret for secret in secrets if secret in text] == []
