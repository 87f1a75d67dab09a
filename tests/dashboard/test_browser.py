"""The dashboard in a real browser: Debian's Chromium, driven headless by Playwright, logs in
the way a person would (Basic auth), sees every section, and runs nothing the page holds.

Chromium comes from `make chromium` (Playwright's own browser download is never used); when
it is missing this test fails rather than skips, so a green run always includes it. Set
STACKGATE_SCREENSHOT=docs/dashboard.png to refresh the screenshots the docs show: the page,
and its capacity view beside it (docs/capacity.png).
"""

from __future__ import annotations

import os
import re
import shutil
import struct
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Dialog, expect, sync_playwright

from tests.dashboard.conftest import HOSTILE, RETAIL, TOKEN, World

CHROMIUM = Path("/usr/bin/chromium")
WIDTH = 1280
SECTIONS = ("Open pull requests", "Capacity", "Locks", "Recent applies", "Drift", "Audit log")


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
        expect(page.get_by_role("heading", name=re.compile(f"^{section}"))).to_be_visible()
    number = page.locator("strong").get_by_text(f"#{world.holder}", exact=True)
    pull = page.locator("tr.pull").filter(has=number)
    expect(pull).to_be_visible()
    expect(pull).to_contain_text("current")
    link = pull.get_by_role("link", name=f"#{world.holder}")
    on_github = f"{world.stackgate.fake.api_url}/{world.repo}/pull/{world.holder}"
    expect(link).to_have_attribute("href", on_github)
    capacity = page.locator("#capacity")
    leading = capacity.locator("tr.gauge").first  # the domain at its limit, in amber
    expect(leading).to_have_class("gauge near")
    expect(leading).to_contain_text(f"domain {RETAIL}")
    expect(leading.get_by_role("link", name=f"#{world.retail}")).to_be_visible()
    bar = leading.locator(".bar .pending")
    assert bar.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(191, 135, 0)"
    box = bar.bounding_box()
    assert box is not None and box["width"] > 100  # the whole bar: 2 of 2 pending
    view = tmp_path / "capacity.png"
    capacity.screenshot(path=str(view))
    expect(page.locator("tr.lock").first).to_contain_text("analytics")
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
    assert view.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    if target := os.environ.get("STACKGATE_SCREENSHOT"):
        shutil.copyfile(shot, target)
        shutil.copyfile(view, Path(target).with_name("capacity.png"))
