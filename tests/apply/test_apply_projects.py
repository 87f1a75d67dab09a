"""`stackgate apply` making a CloudStack project from its file: the project, its members, its
limits and its first network in one run; a failed creation skips what is in it; and an
apply killed between the project and its network never makes a second project."""

from __future__ import annotations

import random
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from cs import CloudStack

from app.cloudstack.catalog import tag_map
from app.cloudstack.inventory import TAG_KEY
from tests.apply.cloud import KEY, SECRET, converged, env_for, knobs, stackgate
from tests.apply.test_apply_in_flight import _steps, _wait_for

OFFERING = "DefaultIsolatedNetworkOfferingWithSourceNatService"


def _repo(folder: Path, name: str = "shop") -> Path:
    (folder / "projects").mkdir(parents=True)
    (folder / "stackgate.yaml").write_text(f"repo: example.com/acme/{name}\n")
    (folder / "projects" / f"{name}.yaml").write_text(
        f"""\
zone: zone-a
domain: ROOT/apps/retail
display_text: Retail shop
members:
  - {{account: retail-ops, role: Admin}}
  - {{user: erin}}
limits: {{networks: 2}}
networks:
  {name}-net: {{offering: {OFFERING}, cidr: 10.9.0.0/24}}
"""
    )
    return folder


def _client(sandbox: str) -> CloudStack:
    return CloudStack(endpoint=f"{sandbox}/client/api", key=KEY, secret=SECRET)


def _projects(sandbox: str, name: str) -> list[dict[str, Any]]:
    listed = _client(sandbox).listProjects(name=name, listall=True).get("project", [])
    return [row for row in listed if row["name"] == name]


def test_a_new_project_is_made_with_members_limits_and_a_tagged_network(
    sandbox: str, tmp_path: Path
) -> None:
    env, repo = env_for(sandbox, tmp_path), _repo(tmp_path / "infra")
    applied = stackgate(env, "apply", str(repo), "--auto-approve")
    assert applied.returncode == 0, applied.stdout[-3000:]
    (project,) = _projects(sandbox, "shop")
    assert (project["domain"], project["displaytext"]) == ("retail", "Retail shop")
    assert tag_map(project)[TAG_KEY] == "project/shop"
    client = _client(sandbox)
    members = client.listProjectAccounts(projectid=project["id"])["projectaccount"]
    assert sorted((m.get("username") or m["account"], m["role"]) for m in members) == [
        ("erin", "Regular"),
        ("retail-ops", "Admin"),
    ]
    (network,) = client.listNetworks(projectid=project["id"])["network"]
    assert tag_map(network)[TAG_KEY] == "network/shop-net"
    converged(env, repo)


def test_a_failed_project_creation_skips_what_is_in_it_and_the_next_apply_finishes(
    sandbox: str, tmp_path: Path
) -> None:
    env, repo = env_for(sandbox, tmp_path), _repo(tmp_path / "infra")
    refusal = "Failed to create project: the domain is being changed"
    knobs(sandbox, fail_next=[{"command": "createProject", "count": 1, "errorcode": 530,
                               "errortext": refusal}])  # fmt: skip
    first = stackgate(env, "apply", str(repo), "--auto-approve")
    assert first.returncode == 1 and refusal in first.stdout
    assert "shop/project/shop did not succeed" in first.stdout
    assert _projects(sandbox, "shop") == []
    second = stackgate(env, "apply", str(repo), "--auto-approve")
    assert second.returncode == 0, second.stdout[-3000:]
    assert len(_projects(sandbox, "shop")) == 1
    converged(env, repo)


def _kill_between_project_and_network(
    folder: Path, env: dict[str, str], repo: Path, in_flight: bool
) -> None:
    """Kill an apply while createProject is out (the cloud takes it after), or once the
    project is made and the network's call is out."""
    process = subprocess.Popen(
        [sys.executable, "-m", "app", "apply", str(repo), "--auto-approve"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        kind, state = ("project", "started") if in_flight else ("network", "started")
        _wait_for(lambda: [s for _, s, _ in _steps(folder, kind)] == [state], f"{kind} {state}")
        time.sleep(0.5)
    finally:
        process.kill()
        process.wait()


def test_killed_between_the_project_and_its_network_ten_times_no_second_project(
    sandbox: str, tmp_path: Path
) -> None:
    chance = random.Random(20261206)
    knobs(sandbox, latency={"createProject": 1.5, "createNetwork": 1.5})
    for round_ in range(10):
        name, folder = f"shop{round_}", tmp_path / f"round{round_}"
        repo, env = _repo(folder / "infra", name), env_for(sandbox, folder)
        _kill_between_project_and_network(folder, env, repo, chance.random() < 0.5)
        time.sleep(1.6)  # the cloud takes the call the killed apply sent
        resumed = stackgate(env, "apply", str(repo), "--auto-approve")
        assert resumed.returncode == 0, resumed.stdout[-3000:]
        assert len(_projects(sandbox, name)) == 1, f"round {round_}: a second project"
        converged(env, repo)


def test_a_member_is_given_a_custom_project_role_and_taken_back_from_it(
    sandbox: str, tmp_path: Path
) -> None:
    env, repo = env_for(sandbox, tmp_path), _repo(tmp_path / "infra", "roles")
    assert stackgate(env, "apply", str(repo), "--auto-approve").returncode == 0
    (project,) = _projects(sandbox, "roles")
    client = _client(sandbox)
    role = client.createProjectRole(projectid=project["id"], name="operator")["projectrole"]
    file = repo / "projects" / "roles.yaml"

    def erin() -> tuple[str, str | None]:
        rows = client.listProjectAccounts(projectid=project["id"])["projectaccount"]
        row = next(r for r in rows if r.get("username") == "erin")
        return row["role"], row.get("projectroleid")

    for wanted, held in (("operator", ("Regular", role["id"])), ("Regular", ("Regular", None))):
        text = file.read_text().replace("{user: erin}", "{user: erin, role: operator}")
        file.write_text(text if wanted == "operator" else text.replace(", role: operator", ""))
        applied = stackgate(env, "apply", str(repo), "--auto-approve")
        assert applied.returncode == 0, applied.stdout[-3000:]
        assert erin() == held
        converged(env, repo)
