"""Project locks are held only by pull requests that will change the project, and only their
author or the platform team may take them away."""

from __future__ import annotations

from app.store.tables import AuditEvent, Lock
from tests.fakes.base import ForgeFake
from tests.scenarios.harness import Stackgate
from tests.scenarios.test_pull_requests import LABEL, PAYMENTS, edit, plan_comments, states

RED = {"github": "failure", "gitlab": "failed"}


def _held(stackgate: Stackgate) -> list[tuple[str, int]]:
    return [(lock.project, lock.number) for lock in stackgate.rows(Lock)]


def _audited(stackgate: Stackgate, action: str) -> list[tuple[int, str, str]]:
    return [(e.number, e.actor, e.detail) for e in stackgate.rows(AuditEvent) if e.action == action]


def _unlock(fake: ForgeFake, stackgate: Stackgate, repo: str, number: int, who: str) -> str:
    """Comment ``/stackgate unlock`` as ``who``; the bot's answer."""
    before = len(fake.comments(repo, number))
    stackgate.deliver(fake.comment(repo, number, who, "/stackgate unlock")[1])
    return "\n".join(c.body for c in fake.comments(repo, number)[before + 1 :])


def _applied(fake: ForgeFake, stackgate: Stackgate, repo: str) -> None:
    """The example repo, made true in the cloud by an approved, merged PR."""
    number, delivery = fake.open_pr(repo, "bob", edit(*LABEL))
    stackgate.deliver(delivery)
    for who in ("lee", "pat"):
        stackgate.deliver(fake.approve(repo, number, who))
    stackgate.deliver(fake.close(repo, number, merged=True))
    assert _held(stackgate) == []


def test_a_pr_that_changes_nothing_in_a_project_holds_no_lock(
    fake, repo, stackgate: Stackgate
) -> None:
    _applied(fake, stackgate, repo)
    # Only a comment is added to the project's file: the plan has no change for the project.
    merged = edit(*LABEL)[PAYMENTS]
    assert merged is not None
    reworded: dict[str, bytes | None] = {PAYMENTS: b"# reviewed by the payments team\n" + merged}
    idle, delivery = fake.open_pr(repo, "dana", reworded)
    stackgate.deliver(delivery)
    assert "Plan: 0 to create" in plan_comments(fake, repo, idle)[0]
    assert _held(stackgate) == []
    # A PR that does change the project is not kept waiting for it.
    busy, delivery = fake.open_pr(repo, "carol", edit("web and", "web, app and"))
    stackgate.deliver(delivery)
    assert _held(stackgate) == [("payments", busy)]
    assert "locked by" not in plan_comments(fake, repo, busy)[0]


def test_a_draft_takes_its_locks_only_when_marked_ready(fake, repo, stackgate: Stackgate) -> None:
    number, delivery = fake.open_pr(repo, "bob", edit(*LABEL), draft=True)
    stackgate.deliver(delivery)
    comment = plan_comments(fake, repo, number)[0]
    assert "holds no project locks until it is marked ready" in comment
    assert _held(stackgate) == []
    stackgate.deliver(fake.mark_ready(repo, number))
    assert _held(stackgate) == [("payments", number)]
    assert "holds no project locks" not in plan_comments(fake, repo, number)[0]


def test_only_the_author_or_the_platform_team_unlock_a_pr(fake, repo, stackgate: Stackgate) -> None:
    fake.grant(repo, "bob", write=True)
    number, delivery = fake.open_pr(repo, "bob", edit(*LABEL))
    stackgate.deliver(delivery)
    # "maintainer" may push, but it is neither bob's PR nor in @platform.
    said = _unlock(fake, stackgate, repo, number, "maintainer")
    assert "@maintainer" in said and "only its author (@bob) or @platform" in said
    assert _held(stackgate) == [("payments", number)]
    assert states(fake, repo, number)["stackgate/plan"] != RED[fake.name]
    assert _audited(stackgate, "unlock-refused") == [
        (number, "maintainer", "not author or @platform")
    ]
    # The platform team may, and it is on the record.
    assert "Released the lock on `payments`" in _unlock(fake, stackgate, repo, number, "pat")
    assert _held(stackgate) == []
    assert _audited(stackgate, "unlocked") == [(number, "pat", "payments")]


def test_the_author_unlocks_their_own_pr(fake, repo, stackgate: Stackgate) -> None:
    fake.grant(repo, "bob", write=True)
    number, delivery = fake.open_pr(repo, "bob", edit(*LABEL))
    stackgate.deliver(delivery)
    assert "Released the lock on `payments`" in _unlock(fake, stackgate, repo, number, "bob")
    assert _held(stackgate) == []
    assert _audited(stackgate, "unlocked") == [(number, "bob", "payments")]
