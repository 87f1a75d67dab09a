"""What the import tests share: a cloud made by hand with ``cs`` on a sandbox process, its
`stackgate import` into a repo, that repo's plan and what apply recorded on the project."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

from cs import CloudStack

from app.spec import load_repo
from app.spec.state import DesiredState
from tests.apply.cloud import KEY, SECRET, stackgate

REPO = "example.com/acme/brownfield"


class ByHand:
    """A person's ``cs`` session on the sandbox and the seeded ids they look up first: the
    payments project, zone-a, its isolated offering, ubuntu-22.04 and the service offerings."""

    def __init__(self, sandbox: str) -> None:
        self.cs = CloudStack(
            endpoint=f"{sandbox}/client/api", key=KEY, secret=SECRET, fetch_result=True,
            poll_interval=0.05,
        )  # fmt: skip
        (project,) = self.cs.listProjects(name="payments", listall=True)["project"]
        self.project: str = project["id"]
        (zone,) = self.cs.listZones(name="zone-a")["zone"]
        self.zone: str = zone["id"]
        listed = self.cs.listNetworkOfferings()["networkoffering"]
        isolated = next(o for o in listed if o["name"].endswith("WithSourceNatService"))
        self.isolated: str = isolated["id"]
        templates = self.cs.listTemplates(templatefilter="executable", zoneid=self.zone)
        self.ubuntu = next(t["id"] for t in templates["template"] if t["name"] == "ubuntu-22.04")
        offered = self.cs.listServiceOfferings()["serviceoffering"]
        self.sizes: dict[str, str] = {o["name"]: o["id"] for o in offered}

    def network(self, name: str) -> dict[str, Any]:
        """An isolated network of the project in zone-a, 10.9.0.0/24."""
        made: dict[str, Any] = self.cs.createNetwork(
            name=name, displaytext=name, zoneid=self.zone, networkofferingid=self.isolated,
            projectid=self.project, gateway="10.9.0.1", netmask="255.255.255.0",
        )["network"]  # fmt: skip
        return made

    def project_tags(self) -> dict[str, str]:
        """The project's tags: where apply records what takes no tags of its own."""
        (listed,) = self.cs.listProjects(id=self.project, listall=True)["project"]
        return {tag["key"]: tag["value"] for tag in listed.get("tags", [])}


def imported(
    env: dict[str, str], repo: Path
) -> tuple[subprocess.CompletedProcess[str], DesiredState]:
    """`stackgate import` of payments into ``repo``, given a stackgate.yaml naming REPO and
    loaded: the command's result (for the test to judge) and the repo it wrote."""
    done = stackgate(env, "import", "--project", "payments", "--out", str(repo))
    (repo / "stackgate.yaml").write_text(f"version: 1\nrepo: {REPO}\n", encoding="utf-8")
    desired = load_repo(repo)
    assert desired.ok, ([str(d) for d in desired.diagnostics], done.stdout[-3000:])
    return done, desired


def changes(env: dict[str, str], repo: Path) -> list[tuple[str, str, str]]:
    """The repo's plan as sorted (action, kind, name) rows; it must have no diagnostics."""
    done = stackgate(env, "plan", str(repo), "--format", "json")
    assert done.returncode in (0, 2), done.stdout[-3000:] + done.stderr[-3000:]
    plan: dict[str, Any] = json.loads(done.stdout)
    assert plan["diagnostics"] == []
    return sorted((c["action"], c["kind"], c["name"]) for c in plan["changes"])
