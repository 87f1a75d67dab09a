"""The demo's running pieces, and the few things every chapter of its story does with them."""

from __future__ import annotations

import re
import time
import uuid
from dataclasses import dataclass

from rich.console import Console
from sqlalchemy import func, select

from app.background import BackgroundServer
from app.demo.workspace import Workspace
from app.events.model import Event, Ignored, PullRequestEvent
from app.flows.services import Services
from app.forges.local.forge import BOT, LocalForge, is_plan_part
from app.jobs.queue import QUEUED, RUNNING
from app.jobs.worker import Worker
from app.store.tables import Job
from app.webhooks.intake import record

REPO = "acme/infra"
SETTLE_TIMEOUT = 120.0
DETAILS = re.compile(r"<details><summary>(.*?)</summary>")
BOLD = re.compile(r"</?b>")


@dataclass
class Demo:
    """The running pieces, and how to tell the story with them."""

    console: Console
    workspace: Workspace
    forge: LocalForge
    services: Services
    worker: Worker
    server: BackgroundServer

    def open(self, branch: str, title: str, author: str) -> PullRequestEvent:
        """The pushed branch's diff, then its pull request opened and planned."""
        self.console.print(f"$ git push origin {branch}    # and opens a pull request: {title}")
        self.console.print(self.workspace.last_diff(), markup=False, highlight=False)
        opened = self.forge.open_pull(branch, title, author)
        self.deliver(opened, "pull_request")
        return opened

    def review(self, chapter: int, opened: PullRequestEvent) -> None:
        """What the pull request shows now: stackgate's plan comment and the head's statuses."""
        self.console.rule(f"{chapter}. stackgate's comment on pull request #{opened.number}")
        self.show(self.bot_said(opened.number, sticky=True))
        self.console.rule("the statuses on its head commit")
        self.statuses(opened.head_sha)

    def merge(self, number: int, user: str) -> bool:
        """Merge, show stackgate's result comment and the merge commit's status; applied?"""
        self.deliver(self.forge.merge(number, user), "pull_request")
        self.show(self.bot_said(number, sticky=False))
        merged = self.forge.pull_request(REPO, number).merged_sha
        self.console.rule("the status on the merge commit")
        self.statuses(merged)
        applied = self.forge.statuses.get(merged, {}).get("stackgate/apply")
        return applied is not None and applied.state.value == "success"

    def deliver(self, event: Event | Ignored, name: str) -> None:
        """What a webhook would do: record the delivery, queue its job, wake the worker."""
        if isinstance(event, Ignored):
            return
        record(self.services.sessions, self.forge.name, str(uuid.uuid4()), name, event)
        self.worker.wake.set()
        self.settle()

    def settle(self) -> None:
        """Wait until the worker has nothing queued or running."""
        deadline = time.monotonic() + SETTLE_TIMEOUT
        while self._busy():
            if time.monotonic() > deadline:
                raise TimeoutError(f"the worker did not finish within {SETTLE_TIMEOUT:.0f} s")
            time.sleep(0.05)

    def _busy(self) -> int:
        with self.services.sessions() as session:
            waiting = select(func.count()).where(Job.state.in_((QUEUED, RUNNING)))
            return session.scalar(waiting.select_from(Job)) or 0

    def bot_said(self, number: int, sticky: bool) -> str:
        """The newest comment of stackgate's on the PR: its plan comment, or another."""
        said = [
            c.body
            for c in self.forge.pulls[number].comments
            if c.author == BOT and is_plan_part(c) == sticky
        ]
        return said[-1] if said else "(no comment)"

    def statuses(self, sha: str) -> None:
        for context, status in sorted(self.forge.statuses.get(sha, {}).items()):
            self.console.print(
                f"  {context:20} {status.state.value:8} {status.description}", highlight=False
            )

    def show(self, markdown: str) -> None:
        """A comment as the forge holds it, its folded sections opened and hidden marks left out."""
        text = DETAILS.sub(lambda found: "#### " + BOLD.sub("", found[1]), markdown)
        lines = [line for line in text.splitlines() if not line.startswith(("<!--", "</details"))]
        self.console.print("\n".join(lines).strip(), markup=False, highlight=False)
