"""A pull request's life on each forge: events in → comment, statuses and store state out."""

from __future__ import annotations

from app.store.tables import Delivery, Job, Lock, LockWait, PlanRecord
from tests.fakes.base import FailurePlan, ForgeFake
from tests.scenarios.harness import Stackgate, example_files

PAYMENTS = "projects/payments.yaml"
GREEN = {"github": "success", "gitlab": "success"}
RED = {"github": "failure", "gitlab": "failed"}


def edit(old: str, new: str, path: str = PAYMENTS) -> dict[str, bytes | None]:
    text = example_files()[path].decode()
    assert old in text, f"{old!r} is not in {path}"
    return {path: text.replace(old, new, 1).encode()}


def plan_comments(fake: ForgeFake, repo: str, number: int) -> list[str]:
    return [c.body for c in fake.comments(repo, number) if c.body.startswith("<!-- stackgate:plan")]


def states(fake: ForgeFake, repo: str, number: int) -> dict[str, str]:
    found = fake.statuses(repo, fake.head_sha(repo, number))
    return {context: status.state for context, status in found.items()}


LABEL = ("role: bastion}", "role: bastion, tier: ops}")


def test_open_gets_one_plan_comment_and_three_statuses(fake, repo, stackgate: Stackgate) -> None:
    number, delivery = fake.open_pr(repo, "bob", edit(*LABEL))
    answer = stackgate.deliver(delivery)
    assert answer.status_code == 202
    (comment,) = plan_comments(fake, repo, number)
    assert "payments" in comment and "to create" in comment
    assert "#### Policies" in comment
    assert "1 approval from @payments-leads, alice" in comment
    assert states(fake, repo, number) == {
        "stackgate/plan": GREEN[fake.name],
        "stackgate/policy": GREEN[fake.name],
        "stackgate/approval": RED[fake.name],
    }
    (plan,) = stackgate.rows(PlanRecord)
    assert (plan.number, plan.head_sha, plan.state) == (
        number,
        fake.head_sha(repo, number),
        "current",
    )
    assert plan.plan_hash.startswith("sha256:") or len(plan.plan_hash) >= 64
    assert [lock.project for lock in stackgate.rows(Lock)] == ["payments"]


def test_a_push_edits_the_same_comment_and_gates_the_new_head(
    fake, repo, stackgate: Stackgate
) -> None:
    number, delivery = fake.open_pr(repo, "bob", edit(*LABEL))
    stackgate.deliver(delivery)
    first = [c.id for c in fake.comments(repo, number)]
    old_head = fake.head_sha(repo, number)
    stackgate.deliver(fake.push(repo, number, edit("instances: 20", "instances: 2")))
    assert [c.id for c in fake.comments(repo, number)] == first
    (comment,) = plan_comments(fake, repo, number)
    assert "instances" in comment and "over" in comment
    assert fake.head_sha(repo, number) != old_head
    assert states(fake, repo, number)["stackgate/policy"] == RED[fake.name]
    plans = {p.head_sha: p.state for p in stackgate.rows(PlanRecord)}
    assert plans == {old_head: "stale", fake.head_sha(repo, number): "current"}


def test_approvals_count_only_on_the_head_they_were_given_on(
    fake, repo, stackgate: Stackgate
) -> None:
    number, delivery = fake.open_pr(repo, "bob", edit(*LABEL))
    stackgate.deliver(delivery)
    stackgate.deliver(fake.approve(repo, number, "alice"))
    stackgate.deliver(fake.approve(repo, number, "pat"))
    assert states(fake, repo, number)["stackgate/approval"] == GREEN[fake.name]
    assert "Still needed" not in plan_comments(fake, repo, number)[0]
    # A new commit: the approvals were given on the old head and no longer count.
    stackgate.deliver(fake.push(repo, number, edit(*LABEL) | edit("web and", "web + app and")))
    assert states(fake, repo, number)["stackgate/approval"] == RED[fake.name]
    assert "@payments-leads, alice" in plan_comments(fake, repo, number)[0]


def test_a_group_member_approval_counts_for_the_group(fake, repo, stackgate: Stackgate) -> None:
    number, delivery = fake.open_pr(repo, "bob", edit(*LABEL))
    stackgate.deliver(delivery)
    stackgate.deliver(fake.approve(repo, number, "lee"))  # in @payments-leads
    comment = plan_comments(fake, repo, number)[0]
    assert "@payments-leads, alice" not in comment
    assert "@platform" in comment


def test_a_policy_denial_turns_the_policy_status_red_with_the_reason(
    fake, repo, stackgate: Stackgate
) -> None:
    opened = edit("ports: 22, cidrs: [192.0.2.0/24]", "ports: 22, cidrs: [0.0.0.0/0]")
    number, delivery = fake.open_pr(repo, "bob", opened)
    stackgate.deliver(delivery)
    comment = plan_comments(fake, repo, number)[0]
    assert "❌ Denied" in comment and "22" in comment
    assert states(fake, repo, number)["stackgate/policy"] == RED[fake.name]
    description = fake.statuses(repo, fake.head_sha(repo, number))["stackgate/policy"].description
    assert "Denied" in description


def test_bad_yaml_gets_file_and_line_and_a_red_plan(fake, repo, stackgate: Stackgate) -> None:
    number, delivery = fake.open_pr(repo, "bob", edit("    offering: small", "    ofering: small"))
    stackgate.deliver(delivery)
    comment = plan_comments(fake, repo, number)[0]
    assert "projects/payments.yaml:" in comment and "SG104" in comment and "offering" in comment
    assert "Traceback" not in comment
    assert states(fake, repo, number)["stackgate/plan"] == RED[fake.name]


def test_a_second_pr_on_a_locked_project_is_told_who_holds_it(
    fake, repo, stackgate: Stackgate
) -> None:
    first, delivery = fake.open_pr(repo, "bob", edit(*LABEL))
    stackgate.deliver(delivery)
    second, delivery = fake.open_pr(repo, "carol", edit("web and", "web, app and"))
    stackgate.deliver(delivery)
    (comment,) = plan_comments(fake, repo, second)
    assert f"#{first}" in comment and "payments" in comment
    assert states(fake, repo, second)["stackgate/plan"] == RED[fake.name]
    # The holder is approved, merged and applied: its lock goes and the waiting PR is planned
    # without anyone pushing.
    for who in ("lee", "pat"):
        stackgate.deliver(fake.approve(repo, first, who))
    stackgate.deliver(fake.close(repo, first, merged=True))
    assert "to create" in plan_comments(fake, repo, second)[0]
    assert states(fake, repo, second)["stackgate/plan"] == GREEN[fake.name]
    assert [(lock.project, lock.number) for lock in stackgate.rows(Lock)] == [("payments", second)]
    assert stackgate.rows(LockWait) == []


def test_closing_unmerged_discards_the_plan_and_frees_the_projects(
    fake, repo, stackgate: Stackgate
) -> None:
    number, delivery = fake.open_pr(repo, "bob", edit(*LABEL))
    stackgate.deliver(delivery)
    stackgate.deliver(fake.close(repo, number, merged=False))
    assert [p.state for p in stackgate.rows(PlanRecord)] == ["discarded"]
    assert stackgate.rows(Lock) == []


def test_commands_need_write_access(fake, repo, stackgate: Stackgate) -> None:
    number, delivery = fake.open_pr(repo, "bob", edit(*LABEL))
    stackgate.deliver(delivery)
    comment_id, delivery = fake.comment(repo, number, "mallory", "/stackgate unlock")
    stackgate.deliver(delivery)
    assert any("@mallory sorry" in c.body for c in fake.comments(repo, number))
    assert [lock.project for lock in stackgate.rows(Lock)] == ["payments"]
    assert fake.reactions(repo, comment_id) == ["confused"]
    # A writer may unlock only their own PR unless in the platform team: pat is in @platform.
    comment_id, delivery = fake.comment(repo, number, "pat", "/stackgate unlock")
    stackgate.deliver(delivery)
    assert stackgate.rows(Lock) == []
    assert fake.reactions(repo, comment_id) == ["eyes"]
    # Without its lock the plan no longer stands: it must not stay green.
    assert [p.state for p in stackgate.rows(PlanRecord)] == ["stale"]
    assert states(fake, repo, number)["stackgate/plan"] == RED[fake.name]


def test_help_and_plan_commands(fake, repo, stackgate: Stackgate) -> None:
    number, delivery = fake.open_pr(repo, "bob", edit(*LABEL))
    stackgate.deliver(delivery)
    stackgate.deliver(fake.comment(repo, number, "alice", "/stackgate help")[1])
    assert any("stackgate commands" in c.body for c in fake.comments(repo, number))
    stackgate.deliver(fake.comment(repo, number, "alice", "/stackgate plan")[1])
    assert [p.state for p in stackgate.rows(PlanRecord)] == ["stale", "current"]


def test_a_draft_is_planned_but_not_ready_until_marked_ready(
    fake, repo, stackgate: Stackgate
) -> None:
    number, delivery = fake.open_pr(repo, "bob", edit(*LABEL), draft=True)
    stackgate.deliver(delivery)
    assert "This pull request is a draft" in plan_comments(fake, repo, number)[0]
    assert states(fake, repo, number)["stackgate/approval"] == "pending"
    stackgate.deliver(fake.mark_ready(repo, number))
    assert "is a draft" not in plan_comments(fake, repo, number)[0]
    assert states(fake, repo, number)["stackgate/approval"] == RED[fake.name]


def test_a_fork_cannot_bring_its_own_policies(fake, repo, stackgate: Stackgate) -> None:
    # The fork adds a policy that would deny everything: it must not judge its own PR.
    deny_all = b'package stackgate\n\ndeny contains {"msg": "fork rule"} if true\n'
    changes = edit(*LABEL) | {"policies/deny_all.rego": deny_all}
    number, delivery = fake.open_pr(repo, "eve", changes, fork=True)
    stackgate.deliver(delivery)
    comment = plan_comments(fake, repo, number)[0]
    assert "comes from a fork" in comment and "fork rule" not in comment
    assert states(fake, repo, number)["stackgate/policy"] == GREEN[fake.name]


def test_redelivery_does_no_duplicate_work(fake, repo, stackgate: Stackgate) -> None:
    _number, delivery = fake.open_pr(repo, "bob", edit(*LABEL))
    assert stackgate.deliver(delivery).status_code == 202
    again = stackgate.deliver(delivery)
    assert again.status_code == 200 and again.json()["ignored"] == "delivery already received"
    assert len(stackgate.rows(Job)) == 1 and len(stackgate.rows(Delivery)) == 1
    assert len(stackgate.rows(PlanRecord)) == 1


def test_a_bad_signature_is_refused_and_nothing_is_stored(fake, repo, stackgate: Stackgate) -> None:
    _number, delivery = fake.open_pr(repo, "bob", edit(*LABEL))
    answer = stackgate.send(delivery, secret="not-the-secret")
    assert answer.status_code == 401
    unsigned = stackgate.http.post(delivery.path, content=delivery.body, headers=delivery.headers)
    assert unsigned.status_code == 401
    assert stackgate.rows(Delivery) == [] and stackgate.rows(Job) == []


def test_events_we_do_not_act_on_get_200_and_a_reason(fake, stackgate: Stackgate) -> None:
    answer = stackgate.deliver(fake.unsupported_delivery())
    assert answer.status_code == 200 and answer.json()["ignored"]
    assert stackgate.rows(Job) == []


def test_a_forge_outage_is_retried_then_succeeds(fake, repo, stackgate: Stackgate) -> None:
    number, delivery = fake.open_pr(repo, "bob", edit(*LABEL))
    fake.fail_next(FailurePlan(count=2, status=502))
    stackgate.deliver(delivery)
    (job,) = stackgate.rows(Job)
    assert (job.state, job.attempts) == ("done", 3)
    assert len(plan_comments(fake, repo, number)) == 1


def test_a_forge_that_stays_down_is_reported_on_the_pr(fake, repo, stackgate: Stackgate) -> None:
    number, delivery = fake.open_pr(repo, "bob", edit(*LABEL))
    # Every read of the PR's files fails; the later report succeeds.
    fake.fail_next(
        FailurePlan(
            count=3, status=503, path_contains="/files" if fake.name == "github" else "/diffs"
        )
    )
    stackgate.deliver(delivery)
    (job,) = stackgate.rows(Job)
    assert job.state == "failed" and job.attempts == 3
    (comment,) = plan_comments(fake, repo, number)
    assert "could not plan this change" in comment and "/stackgate plan" in comment
    assert "Traceback" not in comment
    assert states(fake, repo, number)["stackgate/plan"] in ("error", "failed")


RATE_LIMITED = {
    "github": FailurePlan(
        count=1,
        status=403,
        headers={"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "0", "Retry-After": "1"},
    ),
    "gitlab": FailurePlan(count=1, status=429, headers={"Retry-After": "1"}),
}


def test_a_rate_limit_is_waited_out_and_retried(fake, repo, stackgate: Stackgate) -> None:
    number, delivery = fake.open_pr(repo, "bob", edit(*LABEL))
    fake.fail_next(RATE_LIMITED[fake.name])
    stackgate.deliver(delivery)
    (job,) = stackgate.rows(Job)
    assert (job.state, job.attempts) == ("done", 2)
    assert (job.last_error or "").startswith("The forge answered")
    assert len(plan_comments(fake, repo, number)) == 1


def test_a_pr_cannot_name_its_own_approvers(fake, repo, stackgate: Stackgate) -> None:
    # mallory has no write access: making herself the owner must not let her approve.
    changes = edit(*LABEL) | edit('owners: [alice, "@payments-leads"]', "owners: [mallory]")
    number, delivery = fake.open_pr(repo, "bob", changes)
    stackgate.deliver(delivery)
    stackgate.deliver(fake.approve(repo, number, "mallory"))
    stackgate.deliver(fake.approve(repo, number, "pat"))
    comment = plan_comments(fake, repo, number)[0]
    assert "1 approval from @payments-leads, alice" in comment
    assert states(fake, repo, number)["stackgate/approval"] == RED[fake.name]


def test_approvals_from_people_without_write_access_do_not_count(
    fake, repo, stackgate: Stackgate
) -> None:
    fake.grant(repo, "outsider", write=False)
    number, delivery = fake.open_pr(repo, "bob", edit(*LABEL))
    stackgate.deliver(delivery)
    stackgate.deliver(fake.approve(repo, number, "outsider"))
    assert "1 approval from @payments-leads, alice" in plan_comments(fake, repo, number)[0]


def test_a_refused_command_cancels_nothing(fake, repo, stackgate: Stackgate) -> None:
    number, delivery = fake.open_pr(repo, "bob", edit(*LABEL))
    stackgate.deliver(delivery)
    pushed = fake.push(repo, number, edit("web and", "web & app and"))
    assert stackgate.send(pushed).status_code == 202  # queued, not yet run
    stackgate.deliver(fake.comment(repo, number, "mallory", "/stackgate plan")[1])
    assert states(fake, repo, number)["stackgate/plan"] == GREEN[fake.name]
    assert {job.state for job in stackgate.rows(Job)} == {"done"}


def test_editing_the_repos_policies_needs_the_platform_team(
    fake, repo, stackgate: Stackgate
) -> None:
    relaxed = b'package stackgate\n\nwarn contains {"msg": "relaxed"} if false\n'
    number, delivery = fake.open_pr(repo, "bob", {"policies/relaxed.rego": relaxed})
    stackgate.deliver(delivery)
    comment = plan_comments(fake, repo, number)[0]
    assert "changes to the repo's policies need the platform team" in comment
    assert f"at `{fake.head_sha(repo, number)[:8]}`" in comment
    assert states(fake, repo, number)["stackgate/approval"] == RED[fake.name]
    stackgate.deliver(fake.approve(repo, number, "pat"))  # pat is in @platform
    assert states(fake, repo, number)["stackgate/approval"] == GREEN[fake.name]
