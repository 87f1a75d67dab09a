"""`stackgate demo` tells the whole story on embedded defaults, in a process of its own."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import httpx

from tests.leaks import printed

VPC_GOLDEN = Path(__file__).parents[1] / "golden" / "demo" / "vpc_project.txt"


def _demo(*args: str) -> subprocess.CompletedProcess[str]:
    # A shell's STACKGATE_* must not steer the demo to a real cloud, forge or database.
    env = os.environ | {
        "STACKGATE_CLOUDSTACK_URL": "https://cloud.invalid/client/api",
        "STACKGATE_DATABASE_URL": "postgresql://nobody@db.invalid/stackgate",
        "COLUMNS": "160",
    }
    done = subprocess.run(
        [sys.executable, "-m", "app", "demo", *args],
        capture_output=True, text=True, timeout=240, env=env, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    return printed(done, "stackgate demo")


def _missing(told: str, steps: list[str]) -> list[str]:
    """The steps not told in this order, each looked for after the one before it."""
    at, missing = 0, []
    for step in steps:
        found = told.find(step, at)
        if found == -1:
            missing.append(step)
        else:
            at = found + len(step)
    return missing


def test_the_demo_proposes_plans_approves_merges_and_applies(update_golden: bool) -> None:
    done = _demo("--no-serve", "--port", "0")
    told = done.stdout
    assert done.returncode == 0, told[-3000:] + done.stderr[-3000:]
    assert done.stderr == ""  # the service logs to its own file, not over the story
    steps = [
        "# 94 changes applied",  # the empty sandbox brought to main first
        "the checkout project: three tiers in a VPC, applied with main",
        "policy: 0 denied, 3 called out",  # the VPC project passes the shipped policies
        "+  web-3: *web",  # the proposal's diff
        "**Plan: 1 to create, 1 to update, 0 to replace, 0 to delete**",
        "| + create | instance | `web-3` |",
        "members: web-1, web-2 → web-1, web-2, web-3",
        "stackgate/approval   failure  Waiting for 1 approval from @payments-leads, alice",
        "stackgate/approval   success  Required approvals present",
        "### ✅ Applied to CloudStack at",
        "All 2 change(s) applied. The projects are unlocked.",
        "stackgate/apply      success  Applied 2 change(s)",
        *ONBOARDING,
        *SCALE_UP,
        "The dashboard was at http://127.0.0.1:",
    ]
    assert not _missing(told, steps), _missing(told, steps)  # in the order a user lives them
    assert "<!--" not in told and "<details>" not in told  # hidden marks stay hidden
    _check_vpc_chapter(told, update_golden)


def _check_vpc_chapter(told: str, update: bool) -> None:
    """The VPC project's chapter, between its rule and the next, against its golden file: its
    tiers, ACL rules, static NAT, load balancer and anti-affinity group, quotas and policies."""
    lines = told.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("Plan for checkout:"))
    end = next(i for i in range(start, len(lines)) if lines[i].startswith("─"))
    chapter = "\n".join(line.rstrip() for line in lines[start:end]) + "\n"
    if update:
        VPC_GOLDEN.write_text(chapter, encoding="utf-8")
    assert chapter == VPC_GOLDEN.read_text(encoding="utf-8"), (
        f"differs from {VPC_GOLDEN}; review, then --update-golden"
    )


# A new team's pull request: its project file, the plan with the project's creation and its
# domain's headroom, the owner's and the platform's approvals, the apply, and the project, its
# members and its network read back from the cloud.
ONBOARDING = [
    "+domain: ROOT/apps/retail",
    "| domain ROOT/apps | networks | 0 | +1 | 0 | 1 | 40 | 39 |",
    "| domain ROOT/apps/retail | cpu | 0 | 0 | 0 | 0 | 120 | 120 |",
    "| domain ROOT/apps/retail | networks | 0 | +1 | 0 | 1 | 20 | 19 |",
    "| shop | networks | 0 | +1 | 0 | 1 | 2 | 1 |",
    "- 1 approval from bob: changes to project shop need an approval from one of its owners",
    # one approval from @platform meets its three reasons: asked for once, with all three
    "- 1 approval from @platform: changes to the limits of project shop need the platform team; "
    "creating project shop needs the platform team; project shop is new to the repo; the "
    "platform team approves it and its owners",
    '| + create | project | `shop` | in ROOT/apps/retail · active · "Retail web shop" · owner '
    "retail-ops |",
    "| + create | project member | `user:erin` | role Regular |",
    "| ~ update | limits | `cpu` | limit 40 → 16 |",  # from max.project.cpus
    "| + create | network | `shop-net` | 10.5.0.0/24 ·",
    "stackgate/approval   failure  Waiting for 1 approval from bob",
    "stackgate/approval   success  Required approvals present",
    "| ✅ | create `shop/project/shop` | created, id",
    "| ✅ | create `shop/network/shop-net` | created, id",
    "stackgate/apply      success  Applied 8 change(s)",
    "project  shop in domain retail · Active · stackgate.key=project/shop",
    "  member account retail-ops · Admin",
    "  member user erin · Regular",
    "  network shop-net 10.5.0.0/24 · stackgate.key=network/shop-net",
]


# The search team's pull request for three more workers in its Kubernetes cluster: a scale in
# place, and the quota its three nodes take, left open for the team's approval.
SCALE_UP = [
    "11. carol asks for three more workers in the search cluster",
    "+    size: 5",
    "**Plan: 0 to create, 1 to update, 0 to replace, 0 to delete**",
    "| search | cpu | 18 | +6 | 0 | 24 | 48 | 24 |",
    "| search | instances | 6 | +3 | 0 | 9 | 12 | 3 |",
    "| search | memory | 36GiB | +12GiB | 0 | 48GiB | 96GiB | 48GiB |",
    "| ~ update | kubernetes cluster | `indexer` | size: 2 → 5 (scaled) |",
    "stackgate/approval   failure  Waiting for 1 approval from @search-team",
]


def test_with_serve_the_dashboard_stays_up_until_interrupted() -> None:
    env = os.environ | {"COLUMNS": "160", "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "app", "demo", "--serve", "--port", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )  # fmt: skip
    assert process.stdout is not None
    told: list[str] = []
    try:
        for line in process.stdout:
            told.append(line)
            if "Serving until Ctrl-C" in line:
                break
        url = re.search(r"Open (http://127\.0\.0\.1:\d+/)", "".join(told))
        assert url, "".join(told)[-3000:]
        page = httpx.get(url[1], timeout=30)
        assert page.status_code == 200
        assert "payments/instance/web-3" in page.text  # the merged change, applied
        assert "shop/network/shop-net" in page.text  # and the new team's first network
        assert "a third web server" not in page.text  # merged: no longer an open PR
    finally:
        process.send_signal(signal.SIGINT)
        rest, errors = process.communicate(timeout=60)
    assert process.returncode == 0, errors[-3000:]
    assert "Stopped." in rest
    printed(subprocess.CompletedProcess(process.args, 0, "".join(told) + rest, errors), "demo")
