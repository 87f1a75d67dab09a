"""A merge on each forge: applied to the (sandbox) cloud exactly as approved, or refused with
the reason, and `/stackgate apply` to finish; every outcome told on the pull request."""

from __future__ import annotations

import json

from app.events.model import PullRequest
from app.store.tables import ApplyRun, AuditEvent, Job, Lock, PlanRecord
from tests.fakes.base import FailurePlan, ForgeFake
from tests.scenarios.harness import Stackgate
from tests.scenarios.test_pull_requests import GREEN, LABEL, PAYMENTS, RED, edit

APPLIED, REFUSED, UNFINISHED = "### ✅ Applied", "### 🛑", "### ❌"
MACHINES = {"bastion", "db-1", "web-1", "web-2"}


def pull(stackgate: Stackgate, repo: str, number: int) -> PullRequest:
    return stackgate.services.forge(stackgate.fake.name).pull_request(repo, number)


def told(fake: ForgeFake, repo: str, number: int, start: str) -> list[str]:
    return [c.body for c in fake.comments(repo, number) if c.body.startswith(start)]


def apply_status(stackgate: Stackgate, repo: str, number: int) -> tuple[str, str]:
    found = stackgate.fake.statuses(repo, pull(stackgate, repo, number).merged_sha)
    return found["stackgate/apply"].state, found["stackgate/apply"].description


def machines(stackgate: Stackgate) -> set[str]:
    client = stackgate.services.clouds.client("default")
    (project,) = client.list("listProjects", name="payments")
    found = client.list("listVirtualMachines", projectid=project["id"])
    return {vm["name"] for vm in found}


def approved_pr(stackgate: Stackgate, repo: str, author: str = "bob") -> int:
    """A PR on payments, planned, approved by its owners and the platform team."""
    fake = stackgate.fake
    number, delivery = fake.open_pr(repo, author, edit(*LABEL))
    stackgate.deliver(delivery)
    for who in ("lee", "pat"):
        stackgate.deliver(fake.approve(repo, number, who))
    return number


def command(stackgate: Stackgate, repo: str, number: int, user: str, text: str) -> None:
    stackgate.deliver(stackgate.fake.comment(repo, number, user, text)[1])


def test_an_approved_merge_is_applied_told_audited_and_unlocked(
    fake, repo, stackgate: Stackgate
) -> None:
    number = approved_pr(stackgate, repo)
    merge = fake.close(repo, number, merged=True, by="maintainer")
    stackgate.deliver(merge)
    (result,) = told(fake, repo, number, APPLIED)
    assert "All 22 change(s) applied. The projects are unlocked." in result
    assert "| ✅ | create `payments/instance/web-1` | created, id `" in result
    assert apply_status(stackgate, repo, number) == (GREEN[fake.name], "Applied 22 change(s)")
    assert machines(stackgate) == MACHINES
    assert stackgate.rows(Lock) == []
    (plan,) = stackgate.rows(PlanRecord)
    assert plan.state == "merged"
    (run,) = stackgate.rows(ApplyRun)
    assert (run.state, run.plan_hash, run.commit) == (
        "done",
        plan.plan_hash,
        pull(stackgate, repo, number).merged_sha,
    )
    (audit,) = [a for a in stackgate.rows(AuditEvent) if a.action == "applied"]
    record = json.loads(audit.detail)
    assert (record["author"], record["approvers"], record["merged_by"]) == (
        "bob",
        ["lee", "pat"],
        "maintainer",
    )
    assert record["plan_hash"] == plan.plan_hash and len(record["steps"]) == 22
    assert {step["state"] for step in record["steps"]} == {"done"}
    # The host delivers the merge again: nothing is applied or said twice.
    stackgate.deliver(merge)
    assert len(stackgate.rows(ApplyRun)) == 1 and len(told(fake, repo, number, APPLIED)) == 1


def test_a_result_whose_comment_failed_is_told_once_when_the_job_is_retried(
    fake, repo, stackgate: Stackgate
) -> None:
    number = approved_pr(stackgate, repo)
    merged = fake.close(repo, number, merged=True)
    path = "/notes" if fake.name == "gitlab" else "/comments"
    fake.fail_next(FailurePlan(count=1, status=502, path_contains=path))
    stackgate.deliver(merged)
    assert len(told(fake, repo, number, APPLIED)) == 1
    (run,) = stackgate.rows(ApplyRun)
    assert run.state == "done" and run.reported_at is not None
    assert [job.attempts for job in stackgate.rows(Job) if job.kind == "close"] == [2]


def test_a_merge_without_the_approvals_is_refused_until_a_writer_applies_it(
    fake, repo, stackgate: Stackgate
) -> None:
    number, delivery = fake.open_pr(repo, "bob", edit(*LABEL))
    stackgate.deliver(delivery)
    stackgate.deliver(fake.approve(repo, number, "lee"))  # the platform team never approved
    stackgate.deliver(fake.close(repo, number, merged=True))
    (refusal,) = told(fake, repo, number, REFUSED)
    assert "1 approval from @platform: changes to the limits of project payments" in refusal
    assert "Nothing was changed in CloudStack." in refusal and "`/stackgate apply`" in refusal
    assert apply_status(stackgate, repo, number)[0] == RED[fake.name]
    assert stackgate.rows(ApplyRun) == [] and machines(stackgate) == set()
    assert [lock.project for lock in stackgate.rows(Lock)] == ["payments"]  # kept
    command(stackgate, repo, number, "mallory", "/stackgate apply")  # no write access
    assert stackgate.rows(ApplyRun) == []
    command(stackgate, repo, number, "pat", "/stackgate apply")  # the platform team says yes
    (result,) = told(fake, repo, number, APPLIED)
    assert "All 22 change(s) applied" in result
    assert machines(stackgate) == MACHINES and stackgate.rows(Lock) == []
    (run,) = stackgate.rows(ApplyRun)
    assert run.actor == "pat"


def test_an_object_deleted_out_of_band_before_the_merge_stops_the_apply(
    fake, repo, stackgate: Stackgate
) -> None:
    first = approved_pr(stackgate, repo)
    stackgate.deliver(fake.close(repo, first, merged=True))
    assert machines(stackgate) == MACHINES
    logs = "  logs: {offering: standard, size: 20GiB, attach_to: web-1, labels: {owner: bob}}\n"
    text = (edit(*LABEL)[PAYMENTS] or b"").decode().replace("volumes:\n", "volumes:\n" + logs, 1)
    number, delivery = fake.open_pr(repo, "bob", {PAYMENTS: text.encode()})
    stackgate.deliver(delivery)
    stackgate.deliver(fake.approve(repo, number, "lee"))
    # Someone destroys web-1 by hand between the plan and the merge.
    client = stackgate.services.clouds.client("default")
    listed = client.list("listVirtualMachines", projectid=_payments(stackgate))
    (web,) = [vm for vm in listed if vm["name"] == "web-1"]
    client.run("destroyVirtualMachine", id=web["id"], expunge="true")
    stackgate.deliver(fake.close(repo, number, merged=True))
    (refusal,) = told(fake, repo, number, REFUSED)
    assert "`payments/instance/web-1` now needs create" in refusal
    assert "nobody approved that" in refusal
    assert "web-1" not in machines(stackgate)
    command(stackgate, repo, number, "alice", "/stackgate apply")
    (result,) = told(fake, repo, number, APPLIED)
    assert "create `payments/instance/web-1`" in result
    assert "create `payments/volume/logs`" in result
    assert machines(stackgate) == MACHINES and stackgate.rows(Lock) == []


def test_a_failed_apply_keeps_the_locks_and_finishes_on_command(
    fake, repo, stackgate: Stackgate
) -> None:
    number = approved_pr(stackgate, repo)
    stackgate.services.clouds.client("default")  # starts the sandbox
    sandbox = stackgate.services.clouds.sandbox
    assert sandbox is not None
    refusal = "Unable to create a deployment for VM: insufficient capacity in zone"
    sandbox.api.knobs.fail_next("deployVirtualMachine", 1, 530, refusal, in_job=True)
    stackgate.deliver(fake.close(repo, number, merged=True))
    (result,) = told(fake, repo, number, UNFINISHED)
    assert refusal in result and "was removed" in result
    assert "skipped: payments/instance/" in result  # what needed the VM waited
    assert "`/stackgate apply`" in result and "`/stackgate unlock`" in result
    assert "Traceback" not in result
    state, description = apply_status(stackgate, repo, number)
    assert state == RED[fake.name] and description.startswith("Applied ")
    assert [lock.project for lock in stackgate.rows(Lock)] == ["payments"]
    command(stackgate, repo, number, "alice", "/stackgate apply")
    (done,) = told(fake, repo, number, APPLIED)
    assert "create `payments/instance/" in done  # what failed and what waited for it
    assert machines(stackgate) == MACHINES and stackgate.rows(Lock) == []
    first, second = stackgate.rows(ApplyRun)
    assert (first.state, second.state) == ("failed", "done")
    assert apply_status(stackgate, repo, number)[0] == GREEN[fake.name]


def _payments(stackgate: Stackgate) -> str:
    client = stackgate.services.clouds.client("default")
    (project,) = client.list("listProjects", name="payments")
    return str(project["id"])
