"""`stackgate demo`: the whole story on embedded defaults, told as a user would live it.

A bare git repository stands in for GitHub or GitLab, the built-in sandbox for CloudStack,
SQLite for the store and the in-process engine for OPA. The service runs for real (its web
app, its worker, its jobs); the only shortcut is that the local forge hands its events to the
same intake a webhook would reach, rather than signing and posting them.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from sqlalchemy import func, select

from app.apply.executor import Executor
from app.apply.journal import Journal
from app.background import BackgroundServer, free_port, serve_in_background
from app.config import Settings
from app.demo.workspace import Workspace
from app.events.model import Event, Ignored
from app.flows.planning import plan_projects, repo_name
from app.flows.services import Services
from app.forges.base import Forge
from app.forges.local.forge import BOT, LocalForge, is_plan_part
from app.jobs.queue import QUEUED, RUNNING
from app.jobs.worker import Worker
from app.logs import configure
from app.main import create_app
from app.report.apply_text import render_apply
from app.service import build_services, build_worker
from app.spec import load_repo
from app.store.tables import Job
from app.webhooks.intake import record

REPO = "acme/infra"
AUTHOR, OWNER = "carol", "alice"  # alice is an owner of payments in the example repo
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


def tell(console: Console, port: int, keep_serving: bool) -> int:
    """Run the story; 0 when the change was applied, 1 when any step fell short."""
    with _running(console, port) as demo:
        ok = _story(demo)
        url = demo.server.base_url + "/"
        console.rule("the dashboard")
        if keep_serving:
            console.print(f"Open {url} for pull requests, locks, applies, drift and the audit log.")
            _serve_until_interrupted(console)
        else:
            console.print(f"The dashboard was at {url} while the story ran; --serve keeps it up.")
    return 0 if ok else 1


def _serve_until_interrupted(console: Console) -> None:
    console.print("Serving until Ctrl-C.", style="dim")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        console.print("Stopped.")


def _story(demo: Demo) -> bool:
    console, forge, workspace = demo.console, demo.forge, demo.workspace
    console.rule("1. the cloud as main says it is")
    console.print(
        f"The repository: {workspace.origin} (a local forge standing in for GitHub or "
        "GitLab)\nCloudStack: the built-in sandbox. Store: SQLite. Policies: in-process Rego."
        f"\nThe service's log: {workspace.origin.parent / 'stackgate.log'}"
    )
    if not _bootstrap(demo):
        return False

    console.rule(f"2. {AUTHOR} proposes a change")
    branch, title = workspace.propose_change(AUTHOR)
    console.print(f"$ git push origin {branch}    # and opens a pull request: {title}")
    console.print(workspace.last_diff(), markup=False, highlight=False)
    opened = forge.open_pull(branch, title, AUTHOR)
    demo.deliver(opened, "pull_request")

    console.rule(f"3. stackgate's comment on pull request #{opened.number}")
    demo.show(demo.bot_said(opened.number, sticky=True))
    console.rule("the statuses on its head commit")
    demo.statuses(opened.head_sha)

    console.rule(f"4. {OWNER}, an owner of payments, approves")
    demo.deliver(forge.approve(opened.number, OWNER), "pull_request_review")
    demo.statuses(opened.head_sha)

    console.rule(f"5. {OWNER} merges; stackgate applies the plan that was approved")
    demo.deliver(forge.merge(opened.number, OWNER), "pull_request")
    demo.show(demo.bot_said(opened.number, sticky=False))
    merged = forge.pull_request(REPO, opened.number).merged_sha
    console.rule("the status on the merge commit")
    demo.statuses(merged)
    applied = forge.statuses.get(merged, {}).get("stackgate/apply")
    return applied is not None and applied.state.value == "success"


def _bootstrap(demo: Demo) -> bool:
    """Bring the empty sandbox to main with the executor `stackgate apply` uses."""
    checkout = demo.workspace.checkout
    desired = load_repo(checkout)
    services = demo.services
    repo, commit = repo_name(desired, REPO), demo.workspace.head()
    plan = plan_projects(desired, services.clouds, repo, prices=services.settings.prices)
    journal = Journal(services.sessions)
    run = journal.start(plan, commit, "platform-team")
    done = Executor(services.clouds, journal, services.settings.apply_concurrency).apply(
        run, desired, commit
    )
    if not done.succeeded:
        demo.console.print(render_apply(done))
        return False
    demo.console.print(f"$ stackgate apply --auto-approve    # {len(done.steps)} changes applied")
    return True


@contextmanager
def _running(console: Console, port: int) -> Iterator[Demo]:
    root = Path(tempfile.mkdtemp(prefix="stackgate-demo-"))
    log = (root / "stackgate.log").open("w", encoding="utf-8")
    configure("text", "INFO", log)  # the service's own log, kept out of the story
    try:
        workspace = Workspace.create(root)
        forge = LocalForge(
            workspace.origin,
            REPO,
            writers={AUTHOR, OWNER},
            groups={"@platform": {"pat"}, "@payments-leads": {OWNER}},
        )
        chosen = free_port(port)
        settings = _settings(root, chosen)
        forges: dict[str, Forge] = {forge.name: forge}
        services = build_services(settings, forges)
        worker = build_worker(services, threads=2, poll=0.05)
        app = create_app(settings, services, worker)
        server = serve_in_background(app, "stackgate-demo", port=chosen, lifespan="on")
        try:
            yield Demo(console, workspace, forge, services, worker, server)
        finally:
            server.stop()
            services.sessions.kw["bind"].dispose()
    finally:
        log.close()
        shutil.rmtree(root, ignore_errors=True)


def _settings(root: Path, port: int) -> Settings:
    """The embedded defaults, whatever this shell's STACKGATE_* say: the demo touches no
    real cloud, forge or database."""
    return Settings(
        database_url=f"sqlite:///{root / 'stackgate.db'}",
        public_url=f"http://127.0.0.1:{port}",
        worker_threads=2,
        cloudstack_url=None,
        clouds={},
        opa_url=None,
        reconcile_interval=0.0,
        github_webhook_secret=None,
        github_token=None,
        github_app_id=None,
        gitlab_webhook_token=None,
        gitlab_token=None,
        sandbox_state=None,
    )
