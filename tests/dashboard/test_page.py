"""The dashboard at `/`, read as a person would: what is open, held, applied, drifted, done."""

from __future__ import annotations

import html
import re
from pathlib import Path

import httpx

from app.background import serve_in_background
from app.config import Settings
from app.main import create_app
from app.service import build_services
from app.store import locks
from app.store.tables import ApplyRun, AuditEvent, PlanRecord
from tests.dashboard.conftest import EGRESS, HOSTILE, RETAIL, World


def text(fragment: str) -> str:
    """What a person reads in a piece of the page: tags dropped, entities and spaces undone."""
    inline = re.sub(r"</?a\b[^>]*>", "", fragment)  # a link is read as its words
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", inline)).split())


def rows(page: str, kind: str) -> list[str]:
    """The text of each table row of a kind: pull, lock, step, drift, event."""
    return [text(row) for row in re.findall(rf'<tr class="{kind}">(.*?)</tr>', page, re.S)]


def run_block(page: str, run: int) -> str:
    found = re.search(rf'<details class="run" id="run-{run}"[^>]*>(.*?)</details>', page, re.S)
    assert found is not None, f"run {run} is not on the page"
    return found.group(1)


def test_open_pull_requests_show_their_plan_gate_and_locks(world: World) -> None:
    page = world.get().text
    # the merged and the closed PR are not listed
    retail, holder, waiter = rows(page, "pull")
    assert retail.startswith(f"github acme/infra #{world.retail} ")
    head = world.stackgate.fake.head_sha(world.repo, world.holder)[:8]
    plan = next(p for p in world.stackgate.rows(PlanRecord) if p.number == world.holder)
    counts = plan.plan["counts"]
    assert holder.startswith(f"github acme/infra #{world.holder} {head}")
    assert f"current {counts['create']} to create" in holder
    assert f"{counts['update'] + counts['update-stop']} to update" in holder
    assert "passed" in holder
    assert "1 from @platform: changes to the limits of project analytics" in holder
    assert "approved on this head: nobody yet" in holder and "holds analytics" in holder
    assert waiter == (
        f"github acme/infra #{world.waiter} — waiting waits for analytics (#{world.holder})"
    )
    lock, shop = rows(page, "lock")
    assert lock.startswith(f"analytics github acme/infra #{world.holder} open")
    assert shop.startswith(f"shop github acme/infra #{world.retail} open")


def test_a_pull_request_unlocked_then_closed_is_not_shown_as_open(world: World) -> None:
    (plan,) = [p for p in world.stackgate.rows(PlanRecord) if p.number == world.closed]
    assert plan.state == "stale"  # the store alone would call it open
    data = world.get("/api/dashboard").json()
    assert [p["number"] for p in data["pulls"]] == [world.retail, world.holder, world.waiter]


def test_apply_runs_show_each_step_with_its_cloudstack_id_or_error(world: World) -> None:
    page = world.get().text
    failed, done = sorted(world.stackgate.rows(ApplyRun), key=lambda run: run.id)
    first = run_block(page, failed.id)
    summary = text(first.split("</summary>")[0])
    assert summary.startswith(f"run {failed.id} failed github example.com/acme/infra #1 at")
    assert summary.endswith("— 20 done 1 failed 1 skipped 0 unfinished")
    steps = rows(first, "step")
    (db,) = [s for s in steps if "create payments/instance/db-1 " in s]
    assert db.startswith("10 create payments/instance/db-1 failed")  # instances before IPs
    assert HOSTILE in db and "(errorcode 530)" in db
    assert "skipped payments/instance/db-1 did not succeed" in " ".join(steps)
    client = world.stackgate.services.clouds.client("default")
    (project,) = client.list("listProjects", name="payments")
    vms = client.list("listVirtualMachines", projectid=project["id"])
    (web,) = [vm for vm in vms if vm["name"] == "web-1"]
    assert f"create payments/instance/web-1 done {web['id']}" in " ".join(steps)
    second = text(run_block(page, done.id).split("</summary>")[0])
    assert f"#{world.merged} at {done.commit[:8]} by alice" in second
    assert second.endswith("— 2 done 0 failed 0 skipped 0 unfinished")
    assert 'id="run-1" open' in page and f'id="run-{done.id}">' in page  # failures unfolded


def test_drift_shows_the_newest_reconcile_of_each_repo(world: World) -> None:
    page = world.get().text
    (item,) = rows(page, "drift")
    assert item == f"payments missing {EGRESS} in the repo, not in the cloud: " + (
        "tcp 443 from app-net to 0.0.0.0/0"
    )
    assert f"at <code>{world.stackgate.fake.tip(world.repo)[:8]}</code>" in page


def test_the_audit_log_lists_the_latest_events_newest_first(world: World) -> None:
    events = rows(world.get().text, "event")
    stored = sorted(world.stackgate.rows(AuditEvent), key=lambda e: e.id, reverse=True)
    assert len(events) == len(stored) == 12
    for shown, event in zip(events, stored, strict=True):
        assert f" {event.actor} {event.action}" in shown
    assert events[0].endswith(f"#{world.waiter} dave locked-out {{'analytics': {world.holder}}}")
    assert "apply-failed" in events[-3] and "run" in events[-3]


def test_what_the_cloud_or_a_user_wrote_is_escaped_and_no_script_may_run(world: World) -> None:
    answer = world.get()
    assert "<script" not in answer.text and HOSTILE in text(answer.text)  # shown, as text
    assert "default-src 'none'" in answer.headers["content-security-policy"]
    assert answer.headers["cache-control"] == "no-store"


def test_no_secret_reaches_the_page_or_its_json(world: World) -> None:
    seen = world.get().text + world.get("/api/dashboard").text
    assert "apply-failed" in seen and "no capacity left" in seen  # the failure is there
    for secret in world.secrets:
        assert secret not in seen


def test_a_heal_holding_a_project_is_said_to_be_stackgates(tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'heal.db'}", worker_threads=0)
    services = build_services(settings)
    with services.sessions.begin() as session:  # what the reconcile's heal takes while it runs
        locks.acquire(session, "github", "acme/infra", 0, ["payments"])
    served = serve_in_background(create_app(settings, services), "dashboard-of-a-heal")
    try:
        page = httpx.get(f"{served.base_url}/").text  # no token set: the page is open
    finally:
        served.stop()
        services.engine.close()
        services.sessions.kw["bind"].dispose()
    (lock,) = rows(page, "lock")
    assert lock.startswith("payments github acme/infra stackgate's reconcile heal heal")
    assert rows(page, "pull") == []


def test_capacity_shows_each_projects_use_pending_and_limit_as_bars_fullest_first(
    world: World,
) -> None:
    page = world.get().text
    found = re.findall(r'<tr class="gauge (ok|near|over)">(.*?)</tr>', page, re.S)
    assert found, "no capacity row"
    plan = next(p for p in world.stackgate.rows(PlanRecord) if p.number == world.holder)
    cpu = next(
        q for q in plan.plan["quotas"] if q["project"] == "analytics" and q["resource"] == "cpu"
    )
    (row,) = [text(r) for _, r in found if text(r).startswith("analytics cpu ")]
    pending = max(cpu["change"], 0)
    assert row.startswith(f"analytics cpu {cpu['used']} {pending}")
    ranks = [("over", "near", "ok").index(status) for status, _ in found]
    assert ranks == sorted(ranks)  # near or over a limit first
    assert '<div class="bar"' in page and "<script" not in page


def test_a_domain_at_its_limit_leads_the_capacity_view_naming_who_holds_it(
    world: World,
) -> None:
    page = world.get().text
    found = re.findall(r'<tr class="gauge (ok|near|over)">(.*?)</tr>', page, re.S)
    status, first = found[0]
    assert (status, text(first)) == ("near", f"domain {RETAIL} cpu 0 2 #{world.retail} 2")


def test_every_pull_request_on_the_page_links_to_it_on_its_forge(world: World) -> None:
    page = world.get().text
    base = f"{world.stackgate.fake.api_url}/{world.repo}/pull/"
    linked = re.findall(r'<a class="pr" href="([^"]+)">#(\d+)</a>', page)
    assert {href for href, number in linked} == {f"{base}{n}" for _, n in linked}
    sections = {
        name: re.search(rf'<section id="{name}">(.*?)</section>', page, re.S)
        for name in ("pulls", "capacity", "locks", "applies", "audit")
    }
    numbers = {
        name: {int(n) for _, n in re.findall(r'<a class="pr" href="([^"]+)">#(\d+)</a>', m[1])}
        for name, m in sections.items()
        if m is not None
    }
    assert numbers["pulls"] == {world.retail, world.holder, world.waiter}  # waits for: holder
    assert world.retail in numbers["capacity"] and numbers["locks"] >= {world.holder}
    assert numbers["applies"] == {world.merged}
    assert numbers["audit"] >= {world.merged, world.closed, world.retail, world.waiter}
