"""The dashboard in a real browser: Debian's Chromium, driven headless by Playwright, logs in
the way a person would (Basic auth), sees every section, and runs nothing the page holds.

Chromium comes from `make chromium` (Playwright's own browser download is never used); when
it is missing this test fails rather than skips, so a green run always includes it. Set
STACKGATE_SCREENSHOT=docs/dashboard.png to refresh the screenshot the docs show.
"""

from __future__ import annotations

import os
import shutil
import struct
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Dialog, expect, sync_playwright

from tests.dashboard.conftest import HOSTILE, TOKEN, World

CHROMIUM = Path("/usr/bin/chromium")
WIDTH = 1280
SECTIONS = ("Open pull requests", "Locks", "Recent applies", "Drift", "Audit log")


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: `make chromium` installs it")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM)
        yield launched
        launched.close()


def test_an_operator_reads_the_dashboard_in_chromium(
    world: World, browser: Browser, tmp_path: Path
) -> None:
    context = browser.new_context(
        http_credentials={"username": "ops", "password": TOKEN},
        viewport={"width": WIDTH, "height": 800},
    )
    page = context.new_page()
    dialogs: list[str] = []

    def seen(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", seen)
    page.goto(str(world.stackgate.http.base_url).rstrip("/") + "/")
    for section in SECTIONS:
        expect(page.get_by_role("heading", name=section)).to_be_visible()
    pull = page.locator("tr.pull").filter(has=page.get_by_text(f"#{world.holder}", exact=True))
    expect(pull).to_be_visible()
    expect(pull).to_contain_text("current")
    expect(page.locator("tr.lock")).to_contain_text("analytics")
    expect(page.locator("pre.error", has_text=HOSTILE)).to_be_visible()  # as text, not markup
    done = page.locator("#run-2")
    expect(done.locator("tr.step").first).to_be_hidden()  # a run that went well stays folded
    done.locator("summary").click()
    expect(done.locator("tr.step").first).to_be_visible()
    expect(page.locator("tr.drift")).to_contain_text("missing")
    expect(page.locator("tr.event").first).to_contain_text("locked-out")
    shot = tmp_path / "dashboard.png"
    done.locator("summary").click()  # as an operator first sees it
    page.screenshot(path=str(shot), full_page=True)
    context.close()
    assert dialogs == []  # the CloudStack error's <script> never ran
    data = shot.read_bytes()
    width, height = struct.unpack(">II", data[16:24])
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and width == WIDTH and height > 1500
    assert len(data) > 50_000
    if target := os.environ.get("STACKGATE_SCREENSHOT"):
        shutil.copyfile(shot, target)
