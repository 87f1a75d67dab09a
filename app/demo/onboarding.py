"""The demo's second pull request: a new team gets its own CloudStack project, with quota,
members and a first network, by a pull request the platform approves."""

from __future__ import annotations

from typing import Any

from app.cloudstack.catalog import tag_map
from app.cloudstack.inventory import TAG_KEY
from app.demo.stage import Demo

TEAM = "erin"  # a developer of the retail domain (account retail-dev in the sandbox)
OWNER = "bob"  # the owner the new project file names
PLATFORM = "pat"  # of @platform, whose approval a new project needs
CLOUD = "dc1"  # the example repo's default cloud


def onboard(demo: Demo) -> bool:
    """Chapters 6 to 10; whether the project, its members and its network were made."""
    console, forge = demo.console, demo.forge
    console.rule(f"6. {TEAM} asks for a project of the shop team's own")
    opened = demo.open(*demo.workspace.propose_onboarding(TEAM), TEAM)
    demo.review(7, opened)

    console.rule(f"8. {OWNER}, the shop's owner, and {PLATFORM}, of @platform, approve")
    for user in (OWNER, PLATFORM):
        demo.deliver(forge.approve(opened.number, user), "pull_request_review")
    demo.statuses(opened.head_sha)

    console.rule(f"9. {PLATFORM} merges; stackgate creates the project, then what is in it")
    if not demo.merge(opened.number, PLATFORM):
        return False
    console.rule("10. the shop project as CloudStack now holds it")
    return _read_back(demo)


def _read_back(demo: Demo) -> bool:
    """The project, its members and its network, read from the cloud with list calls."""
    client = demo.services.clouds.client(CLOUD)
    found = client.list("listProjects", name="shop", listall="true")
    if not found:
        demo.console.print("no project shop in the cloud")
        return False
    project = found[0]
    members = client.list("listProjectAccounts", projectid=project["id"])
    networks = client.list("listNetworks", projectid=project["id"])
    lines = [
        f"project  shop in domain {project['domain']}"
        f" · {project['state']} · {TAG_KEY}={tag_map(project).get(TAG_KEY)}",
        *(f"  member {_member(m)} · {m['role']}" for m in members),
        *(f"  network {n['name']} {n.get('cidr')} · {_tagged(n)}" for n in networks),
    ]
    demo.console.print("\n".join(lines), markup=False, highlight=False)
    return bool(networks) and len(members) > 1


def _member(row: dict[str, Any]) -> str:
    return f"user {row['username']}" if row.get("username") else f"account {row['account']}"


def _tagged(row: dict[str, Any]) -> str:
    return f"{TAG_KEY}={tag_map(row).get(TAG_KEY)}"
