"""What both forge clients must do alike, checked against either fake."""

from __future__ import annotations

from app.forges.base import Branch, Forge
from tests.fakes.base import ForgeFake

TITLE = "stackgate: drift"


def check_one_issue_per_title(forge: Forge, fake: ForgeFake, repo: str) -> None:
    """Opened, left alone when unchanged, edited, closed; a later report opens a new one."""
    assert forge.default_branch(repo) == Branch("main", fake.tip(repo))
    forge.report_issue(repo, TITLE, "first")
    forge.report_issue(repo, TITLE, "first")  # the same: nothing new
    forge.report_issue(repo, TITLE, "second")
    (issue,) = fake.issues(repo)
    assert (issue.title, issue.body, issue.open, issue.author) == (TITLE, "second", True, fake.bot)
    forge.report_issue(repo, TITLE, None)
    assert [i.open for i in fake.issues(repo)] == [False]
    forge.report_issue(repo, TITLE, "again")
    assert [(i.body, i.open) for i in fake.issues(repo)] == [("second", False), ("again", True)]


def check_a_merge_says_its_commit_and_who_merged(
    forge: Forge, fake: ForgeFake, repo: str, files: dict[str, bytes | None]
) -> None:
    """No merge commit before the merge; after it, the base's new tip and the merger."""
    number, _ = fake.open_pr(repo, "alice", files)
    assert forge.pull_request(repo, number).merged_sha == ""
    fake.close(repo, number, merged=True, by="lee")
    pull = forge.pull_request(repo, number)
    assert pull.merged_sha == fake.tip(repo)
    assert (pull.merged_by, pull.state) == ("lee", "merged")


def check_commit_authors_are_everyone_who_pushed(
    forge: Forge, fake: ForgeFake, repo: str, path: str
) -> None:
    """The PR's author and whoever else pushed a commit to it; not those who only review."""
    number, _ = fake.open_pr(repo, "alice", {path: b"one\n"})
    assert forge.commit_authors(repo, number) == {"alice"}
    fake.push(repo, number, {path: b"two\n"}, by="lee")
    fake.approve(repo, number, "pat")
    assert forge.commit_authors(repo, number) == {"alice", "lee"}
