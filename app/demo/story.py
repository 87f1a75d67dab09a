"""`stackgate demo`: the whole story on embedded defaults, told as a user would live it.

A bare git repository stands in for GitHub or GitLab, the built-in sandbox for CloudStack,
SQLite for the store and the in-process engine for OPA. The service runs for real (its web
app, its worker, its jobs); the only shortcut is that the local forge hands its events to the
same intake a webhook would reach, rather than signing and posting them.
"""

from __future__ import annotations

import shutil
import signal
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from rich.console import Console

from app.apply.executor import Executor
from app.apply.journal import Journal
from app.background import free_port, serve_in_background
from app.config import Settings
from app.demo.onboarding import OWNER as SHOP_OWNER
from app.demo.onboarding import PLATFORM, TEAM, onboard
from app.demo.scaleup import scale_up
from app.demo.stage import REPO, Demo
from app.demo.vpc import show_vpc_project
from app.demo.workspace import Workspace
from app.flows.planning import plan_projects, repo_name
from app.forges.base import Forge
from app.forges.local.forge import LocalForge
from app.logs import configure
from app.main import create_app
from app.report.apply_text import render_apply
from app.service import build_services, build_worker
from app.spec import load_repo

AUTHOR, OWNER = "carol", "alice"  # alice is an owner of payments in the example repo


def tell(console: Console, port: int, keep_serving: bool) -> int:
    """Run the story; 0 when the first two pull requests were applied (the third, a scale-up,
    is left open for review), 1 when any step fell short."""
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
    # Ctrl-C stops it even when started with SIGINT ignored (a child of a pytest-xdist worker
    # or of `nohup` inherits that, and Python then raises no KeyboardInterrupt).
    signal.signal(signal.SIGINT, signal.default_int_handler)
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
    opened = demo.open(*workspace.propose_change(AUTHOR), AUTHOR)
    demo.review(3, opened)

    console.rule(f"4. {OWNER}, an owner of payments, approves")
    demo.deliver(forge.approve(opened.number, OWNER), "pull_request_review")
    demo.statuses(opened.head_sha)

    console.rule(f"5. {OWNER} merges; stackgate applies the plan that was approved")
    if not (demo.merge(opened.number, OWNER) and onboard(demo)):
        return False
    scale_up(demo)
    return True


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
    show_vpc_project(demo, plan, desired)
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
            writers={AUTHOR, OWNER, TEAM, SHOP_OWNER, PLATFORM},
            groups={"@platform": {PLATFORM}, "@payments-leads": {OWNER}},
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
