"""Reconcile on a schedule, on each forge: drift recorded and kept in one issue that closes
when the drift is gone; `reconcile: heal` projects put back unless a PR holds them; tags
another tool puts on managed objects are neither drift nor a reason to refuse a merge."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.cloudstack.catalog import tag_map
from app.cloudstack.client import CloudStackClient
from app.flows.reconcile import ISSUE_TITLE, schedule
from app.store.tables import ApplyRun, AuditEvent, DriftReport, Job
from tests.fakes.base import ForgeFake
from tests.scenarios.harness import Stackgate, example_files, running
from tests.scenarios.test_merges import APPLIED, told
from tests.scenarios.test_metrics import scrape, value
from tests.scenarios.test_pull_requests import LABEL, PAYMENTS, edit

EGRESS = "app-net:tcp:443:0.0.0.0/0"
_repos = itertools.count(1)
HEAL = ("owners: [alice", "reconcile: heal\nowners: [alice")


@pytest.fixture
def repo(fake: ForgeFake) -> str:
    """The example repo with payments alone, so the cloud can match it after one merge."""
    name = f"acme/infra-{next(_repos)}"
    files = {
        path: data for path, data in example_files().items() if path in ("stackgate.yaml", PAYMENTS)
    }
    fake.create_repo(name, files)
    # carol, a team member, opens the PR a heal waits for; mallory is an outsider
    for user in ("alice", "pat", "lee", "maintainer", "carol"):
        fake.grant(name, user, write=True)
    fake.add_group(name, "platform", ["pat"])
    fake.add_group(name, "payments-leads", ["lee"])
    return name


@pytest.fixture
def stackgate(fake: ForgeFake, tmp_path: Path) -> Iterator[Stackgate]:
    with running(fake, tmp_path, reconcile_interval=3600, reconcile_issues=True) as service:
        yield service


def payments(*pairs: tuple[str, str]) -> str:
    """The payments file as ``merged`` writes it: the example, labelled, and edited so."""
    text = (edit(*LABEL)[PAYMENTS] or b"").decode()
    for old, new in pairs:
        text = text.replace(old, new, 1)
    return text


def merged(stackgate: Stackgate, repo: str, *pairs: tuple[str, str]) -> int:
    """A payments change, approved, merged and applied."""
    fake = stackgate.fake
    number, delivery = fake.open_pr(repo, "bob", {PAYMENTS: payments(*pairs).encode()})
    stackgate.deliver(delivery)
    for who in ("lee", "pat"):
        stackgate.deliver(fake.approve(repo, number, who))
    stackgate.deliver(fake.close(repo, number, merged=True))
    assert len(told(fake, repo, number, APPLIED)) == 1
    return number


def drop_egress(stackgate: Stackgate) -> None:
    """Someone deletes a managed egress rule by hand."""
    client = stackgate.services.clouds.client("default")
    (project,) = client.list("listProjects", name="payments")
    rules = client.list("listEgressFirewallRules", projectid=project["id"])
    (rule,) = [r for r in rules if str(r.get("startport")) == "443"]
    client.run("deleteEgressFirewallRule", id=rule["id"])


def run_reconcile(stackgate: Stackgate) -> int:
    queued = schedule(stackgate.services)
    stackgate.drain()
    return queued


def test_drift_is_reported_in_one_issue_that_closes_when_it_is_gone(
    fake, repo, stackgate: Stackgate
) -> None:
    merged(stackgate, repo)
    assert run_reconcile(stackgate) == 1
    assert fake.issues(repo) == []  # no drift, no issue
    assert run_reconcile(stackgate) == 0  # not due again within the interval
    drop_egress(stackgate)
    with stackgate.services.sessions.begin() as session:  # an hour later
        session.query(Job).filter(Job.kind == "reconcile").delete()
    assert run_reconcile(stackgate) == 1
    report = stackgate.rows(DriftReport)[-1]
    assert [(i["address"], i["kind"]) for i in report.items["drift"]] == [
        (f"payments/egress/{EGRESS}", "missing")
    ]
    assert report.commit == fake.tip(repo)
    (issue,) = fake.issues(repo)
    assert issue.title == ISSUE_TITLE and issue.open and issue.author == fake.bot
    assert f"`egress/{EGRESS}` | missing" in issue.body
    _, samples = scrape(stackgate)
    drifted = {"repo": report.repo, "kind": "missing"}
    assert value(samples, "stackgate_drift_items", **drifted) == 1
    # The team decides the rule should go: a PR says so, merges, applies nothing.
    merged(stackgate, repo, ("  - {network: app-net, protocol: tcp, ports: 443", "  #"))
    with stackgate.services.sessions.begin() as session:
        session.query(Job).filter(Job.kind == "reconcile").delete()
    assert run_reconcile(stackgate) == 1
    assert [i.open for i in fake.issues(repo)] == [False]
    assert stackgate.rows(DriftReport)[-1].items == {"drift": []}


def test_a_healing_project_is_put_back_unless_a_pr_holds_it(
    fake, repo, stackgate: Stackgate
) -> None:
    merged(stackgate, repo, HEAL)
    drop_egress(stackgate)
    # A PR on payments is open: the heal waits for it rather than fight it.
    waiting, delivery = fake.open_pr(repo, "carol", edit("web and", "web, app and"))
    stackgate.deliver(delivery)
    assert run_reconcile(stackgate) == 1
    (issue,) = fake.issues(repo)
    assert f"not healed: held by open pull requests: payments (#{waiting})" in issue.body
    stackgate.deliver(fake.close(repo, waiting, merged=False))
    with stackgate.services.sessions.begin() as session:
        session.query(Job).filter(Job.kind == "reconcile").delete()
    assert run_reconcile(stackgate) == 1
    heal = stackgate.rows(ApplyRun)[-1]
    assert (heal.number, heal.actor, heal.state) == (0, "stackgate", "done")
    (audit,) = [a for a in stackgate.rows(AuditEvent) if a.action == "healed"]
    steps = json.loads(audit.detail)["steps"]
    assert [(s["address"], s["state"]) for s in steps] == [(f"payments/egress/{EGRESS}", "done")]
    assert [i.open for i in fake.issues(repo)] == [False]  # healed: nothing left to say
    assert stackgate.rows(DriftReport)[-1].items["drift"][0]["kind"] == "missing"


def data_volumes(stackgate: Stackgate) -> list[str]:
    client = stackgate.services.clouds.client("default")
    (project,) = client.list("listProjects", name="payments")
    return [v["name"] for v in client.list("listVolumes", projectid=project["id"], type="DATADISK")]


def test_a_heal_is_judged_by_the_policies_and_never_destroys_a_protected_volume(
    fake, repo, stackgate: Stackgate
) -> None:
    merged(stackgate, repo, HEAL)
    assert data_volumes(stackgate) == ["db-1-data"]
    # A PR takes the protected volume out of the repo; the policies deny it, it is merged
    # anyway (nothing is applied) and unlocked, so the default branch no longer has it.
    text = payments(HEAL)
    start = text.index("volumes:\n  db-1-data:")
    without = text[:start] + text[text.index("\n\n", start) + 2 :]
    number, delivery = fake.open_pr(repo, "bob", {PAYMENTS: without.encode()})
    stackgate.deliver(delivery)
    stackgate.deliver(fake.close(repo, number, merged=True))
    _, unlock = fake.comment(repo, number, "pat", "/stackgate unlock")
    stackgate.deliver(unlock)
    forge = stackgate.services.forge(fake.name)
    assert forge.read_file(repo, fake.tip(repo), PAYMENTS) == without.encode()
    assert run_reconcile(stackgate) == 1
    assert data_volumes(stackgate) == ["db-1-data"]  # the heal deleted nothing
    assert not [run for run in stackgate.rows(ApplyRun) if run.number == 0]
    (issue,) = fake.issues(repo)
    assert "`volume/db-1-data` | leftover" in issue.body
    assert "not healed: the policies deny it" in issue.body
    assert "destroy/protected" in issue.body
    assert "payments/volume/db-1-data is protected" in issue.body
    (refusal,) = [a for a in stackgate.rows(AuditEvent) if a.action == "heal-refused"]
    assert "destroy/protected" in refusal.detail


def test_a_heal_that_needs_more_than_the_owners_approval_is_not_applied(
    fake, repo, stackgate: Stackgate
) -> None:
    """Limits are the platform team's: a heal putting them back would need its approval."""
    merged(stackgate, repo, HEAL)
    client = stackgate.services.clouds.client("default")
    (project,) = client.list("listProjects", name="payments")
    client.request("updateResourceLimit", projectid=project["id"], resourcetype=0, max=50)
    assert run_reconcile(stackgate) == 1
    (limit,) = client.list("listResourceLimits", projectid=project["id"], resourcetype=0)
    assert int(limit["max"]) == 50  # not put back
    assert not [run for run in stackgate.rows(ApplyRun) if run.number == 0]
    (issue,) = fake.issues(repo)
    assert "`limits/instances` | changed" in issue.body
    assert "not healed: it needs approvals" in issue.body
    assert "needs 1 approval from @platform: changes to the limits of project payments" in (
        issue.body
    )


def test_a_heal_whose_policies_cannot_be_evaluated_is_not_applied(
    fake, repo, stackgate: Stackgate
) -> None:
    merged(stackgate, repo, HEAL)
    # A broken repo policy reaches the default branch (merged anyway), then a rule is lost.
    broken = b"package stackgate\n\ndeny contains finding if {\n"
    number, delivery = fake.open_pr(repo, "bob", {"policies/broken.rego": broken})
    stackgate.deliver(delivery)
    stackgate.deliver(fake.close(repo, number, merged=True))
    drop_egress(stackgate)
    assert run_reconcile(stackgate) == 1
    assert not [run for run in stackgate.rows(ApplyRun) if run.number == 0]
    (issue,) = fake.issues(repo)
    assert f"`egress/{EGRESS}` | missing" in issue.body
    assert "not healed: a policy could not be evaluated" in issue.body
    assert "policies/broken.rego" in issue.body


def payments_vm(stackgate: Stackgate, name: str) -> tuple[CloudStackClient, dict[str, Any]]:
    client = stackgate.services.clouds.client("default")
    (project,) = client.list("listProjects", name="payments")
    (vm,) = client.list("listVirtualMachines", projectid=project["id"], name=name)
    return client, vm


def tag_vm(stackgate: Stackgate, name: str, key: str, value: str) -> None:
    """A backup tool or an operator tags a managed VM by hand."""
    client, vm = payments_vm(stackgate, name)
    pair = [{"key": key, "value": value}]
    client.run("createTags", resourcetype="UserVm", resourceids=vm["id"], tags=pair)


def test_a_foreign_tag_on_a_managed_vm_is_no_drift(fake, repo, stackgate: Stackgate) -> None:
    merged(stackgate, repo)
    tag_vm(stackgate, "web-1", "backup", "daily")
    assert run_reconcile(stackgate) == 1
    assert stackgate.rows(DriftReport)[-1].items == {"drift": []}
    assert fake.issues(repo) == []


def test_a_hand_tag_between_plan_and_merge_does_not_stop_the_apply(
    fake, repo, stackgate: Stackgate
) -> None:
    merged(stackgate, repo)
    number, delivery = fake.open_pr(
        repo, "bob", {PAYMENTS: payments(("role: web}", "role: frontend}")).encode()}
    )
    stackgate.deliver(delivery)
    for who in ("lee", "pat"):
        stackgate.deliver(fake.approve(repo, number, who))
    tag_vm(stackgate, "web-1", "backup", "daily")  # on an object the approved plan acts on
    tag_vm(stackgate, "bastion", "backup", "daily")  # and on one it leaves alone
    stackgate.deliver(fake.close(repo, number, merged=True))
    assert len(told(fake, repo, number, APPLIED)) == 1
    web = tag_map(payments_vm(stackgate, "web-1")[1])
    assert (web["role"], web["backup"]) == ("frontend", "daily")
    assert tag_map(payments_vm(stackgate, "bastion")[1])["backup"] == "daily"


def test_an_untagged_twin_is_drift_to_adopt_and_a_heal_never_adopts_it(
    fake, repo, stackgate: Stackgate
) -> None:
    """Someone drops the managed egress rule and makes the same one by hand: the repo's rule
    runs untagged. Adopting it is the owners' call on a pull request, not the heal's."""
    merged(stackgate, repo, HEAL)
    drop_egress(stackgate)
    client = stackgate.services.clouds.client("default")
    (project,) = client.list("listProjects", name="payments")
    (net,) = client.list("listNetworks", projectid=project["id"], name="app-net")
    hand = client.run(
        "createEgressFirewallRule", networkid=net["id"], protocol="tcp", startport=443,
        endport=443,
    )  # fmt: skip
    assert run_reconcile(stackgate) == 1
    report = stackgate.rows(DriftReport)[-1]
    assert [(i["address"], i["kind"]) for i in report.items["drift"]] == [
        (f"payments/egress/{EGRESS}", "unadopted")
    ]
    assert not [run for run in stackgate.rows(ApplyRun) if run.number == 0]
    (issue,) = fake.issues(repo)
    assert f"`egress/{EGRESS}` | unadopted" in issue.body
    assert f"not healed: it would adopt payments/egress/{EGRESS}" in issue.body
    rules = client.list("listEgressFirewallRules", projectid=project["id"])
    (still,) = [r for r in rules if r["id"] == hand["firewallrule"]["id"]]
    assert not tag_map(still)  # left as it was made
