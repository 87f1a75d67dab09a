"""Pull requests nobody with write access vouched for hold no project locks: an outsider's,
and one that changes the repo-wide settings, until a writer approves its head commit or
comments `/stackgate plan`. Otherwise anyone who can open one could stop every team's merges."""

from __future__ import annotations

from app.store.tables import Lock
from tests.fakes.base import ForgeFake
from tests.scenarios.harness import Stackgate, example_files
from tests.scenarios.test_pull_requests import LABEL, edit, plan_comments

OUTSIDER_NOTE = "its author has no write access to this repository"
SETTINGS_NOTE = "it changes the repo-wide settings (`stackgate.yaml`)"


def _held(stackgate: Stackgate) -> list[tuple[str, int]]:
    return sorted((lock.project, lock.number) for lock in stackgate.rows(Lock))


def _comment(fake: ForgeFake, repo: str, number: int) -> str:
    return plan_comments(fake, repo, number)[0]


def test_an_outsiders_pr_is_planned_but_takes_its_locks_only_when_a_writer_approves(
    fake, repo, stackgate: Stackgate
) -> None:
    number, delivery = fake.open_pr(repo, "mallory", edit(*LABEL))
    stackgate.deliver(delivery)
    comment = _comment(fake, repo, number)
    assert "**Plan: 16 to create" in comment  # planned as any other
    assert OUTSIDER_NOTE in comment and "holds no project locks" in comment
    assert _held(stackgate) == []
    # A team member's PR on the same project is not kept waiting by it.
    other, opened = fake.open_pr(repo, "bob", edit("web and", "web, app and"))
    stackgate.deliver(opened)
    assert _held(stackgate) == [("payments", other)]
    stackgate.deliver(fake.close(repo, other, merged=False))
    # An approval of its head by someone with write access vouches for it.
    stackgate.deliver(fake.approve(repo, number, "lee"))
    assert _held(stackgate) == [("payments", number)]
    assert OUTSIDER_NOTE not in _comment(fake, repo, number)


def test_a_writers_plan_command_vouches_for_the_head_and_a_new_push_needs_it_again(
    fake, repo, stackgate: Stackgate
) -> None:
    number, delivery = fake.open_pr(repo, "mallory", edit(*LABEL))
    stackgate.deliver(delivery)
    # Her own command is refused (no write access) and vouches for nothing.
    stackgate.deliver(fake.comment(repo, number, "mallory", "/stackgate plan")[1])
    assert _held(stackgate) == []
    stackgate.deliver(fake.comment(repo, number, "maintainer", "/stackgate plan")[1])
    assert _held(stackgate) == [("payments", number)]
    assert OUTSIDER_NOTE not in _comment(fake, repo, number)
    # What she pushes next nobody has looked at: the locks go until someone vouches again.
    stackgate.deliver(fake.push(repo, number, edit("web and", "web, app and")))
    assert _held(stackgate) == []
    assert OUTSIDER_NOTE in _comment(fake, repo, number)


def test_a_pr_changing_the_repo_settings_locks_no_project_until_vouched_for(
    fake, repo, stackgate: Stackgate
) -> None:
    # A new default zone reaches every project, so every project's plan changes.
    settings = example_files()["stackgate.yaml"].replace(b"zone: zone-a", b"zone: zone-b")
    number, delivery = fake.open_pr(repo, "alice", {"stackgate.yaml": settings})
    stackgate.deliver(delivery)
    comment = _comment(fake, repo, number)
    assert SETTINGS_NOTE in comment and OUTSIDER_NOTE not in comment
    assert _held(stackgate) == []
    stackgate.deliver(fake.approve(repo, number, "pat"))
    held = _held(stackgate)
    assert held and {holder for _project, holder in held} == {number}
    assert SETTINGS_NOTE not in _comment(fake, repo, number)
