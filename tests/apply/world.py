"""A sandbox cloud with the example repo's clouds pointed at it, and apply as a plain loop."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from pydantic import SecretStr

from app.apply.executor import Executor
from app.apply.journal import Journal, Run
from app.apply.operations import operation_for
from app.apply.operations.base import Context
from app.apply.steps import steps_of
from app.cloudstack.catalog import read_catalog
from app.cloudstack.clouds import Clouds
from app.cloudstack.inventory import read_project
from app.config import CloudSettings, Settings
from app.flows.planning import plan_projects, repo_name
from app.plan.model import Plan
from app.sandbox.launch import start_sandbox
from app.spec.loader import load_repo
from app.spec.state import DesiredState
from app.store.database import open_store

EXAMPLES = Path(__file__).parents[2] / "examples" / "infra"
API_KEY, SECRET_KEY = "apply-key", "apply~secret/+="
COMMIT = "0123456789abcdef0123456789abcdef01234567"


@dataclass
class World:
    clouds: Clouds
    root: Path
    desired: DesiredState

    def edit(self, path: str, text: str) -> None:
        """Rewrite one file of the repo and load it again."""
        (self.root / path).write_text(text)
        self.desired = load_repo(self.root)

    @property
    def repo(self) -> str:
        return repo_name(self.desired, "unnamed")

    def plan(self) -> Plan:
        plan = plan_projects(self.desired, self.clouds, self.repo)
        assert not plan.has_errors, plan.diagnostics
        return plan

    def context(self, project: str) -> Context:
        """What an apply knows of one project: its catalog, id and every live object's id."""
        spec = self.desired.projects[project]
        client = self.clouds.client(spec.cloud)
        catalog = read_catalog(client)
        ref = catalog.projects[project]
        live = read_project(client, self.repo, ref)
        ids = {f"{kind}/{name}": obj.id for (kind, name), obj in live.objects.items()}
        return Context(client, catalog, ref.id, self.repo, COMMIT, ids, spec)

    def apply(self, plan: Plan) -> None:
        """Every step in plan order, one at a time, as the executor does it."""
        contexts = {name: self.context(name) for name in plan.projects}
        for change in steps_of(plan).changes:
            operation = operation_for(change.kind, change.action)
            assert operation is not None, f"no operation for {change.kind} {change.action}"
            ctx = contexts[change.project]
            sent = operation.submit(ctx, change)
            result = ctx.client.wait(change.kind, sent.job_id) if sent.job_id else {}
            made = operation.finish(ctx, change, sent, result)
            if made is not None:
                ctx.ids[f"{change.kind}/{change.name}"] = made

    def execute(self, plan: Plan, journal: Path, concurrency: int = 2) -> Run:
        """The plan through the executor itself (journal, waves, failed steps' leftovers)."""
        record = Journal(open_store(f"sqlite:///{journal}"))
        run = record.start(plan, COMMIT, "someone")
        return Executor(self.clouds, record, concurrency).apply(run, self.desired, COMMIT)


@contextmanager
def sandbox_world(repo: Path = EXAMPLES) -> Iterator[World]:
    """Both example clouds (dc1, dc2) answered by one fresh sandbox."""
    sandbox = start_sandbox(api_key=API_KEY, secret_key=SECRET_KEY)
    cloud = CloudSettings(
        url=sandbox.url, api_key=SecretStr(API_KEY), secret_key=SecretStr(SECRET_KEY)
    )
    clouds = Clouds(Settings(clouds={"dc1": cloud, "dc2": cloud}))
    try:
        yield World(clouds, repo, load_repo(repo))
    finally:
        clouds.close()
        sandbox.stop()


@contextmanager
def applied_examples(folder: Path) -> Iterator[World]:
    """A copy of the example repo in ``folder``, applied whole to a fresh sandbox: the start of
    tests that change the repo afterwards (the copy is theirs to edit)."""
    repo = folder / "infra"
    shutil.copytree(EXAMPLES, repo)
    with sandbox_world(repo) as made:
        made.apply(made.plan())
        yield made
