"""GitLabForge through the real python-gitlab against the fake GitLab: reads, notes, statuses."""

from __future__ import annotations

from app.forges.base import COMMENT_MARKER, Reaction, StatusState, TreeFile
from app.forges.gitlab.client import GitLabForge
from tests.fakes.gitlab import GitLabFake
from tests.forges.contract import (
    check_a_merge_says_its_commit_and_who_merged,
    check_commit_authors_are_everyone_who_pushed,
    check_one_issue_per_title,
)

PLAN = "stackgate/plan"


def test_pull_request_fields(fake: GitLabFake, forge: GitLabForge, repo: str) -> None:
    base = fake.world.project_named(repo).branches["main"]
    number, _ = fake.open_pr(repo, "alice", {"projects/web.yaml": b"x"}, draft=True, title="T")
    pull = forge.pull_request(repo, number)
    assert (pull.forge, pull.repo, pull.number, pull.author) == ("gitlab", repo, number, "alice")
    assert (pull.head_sha, pull.base_sha, pull.base_ref) == (
        fake.head_sha(repo, number),
        base,
        "main",
    )
    assert (pull.draft, pull.fork, pull.state, pull.title) == (True, False, "open", "T")
    assert pull.plan_ref == pull.merge_sha != pull.head_sha  # the merge ref: test_merge.py
    assert pull.labels == () and pull.approvals == ()


def test_fork_and_merged_state(fake: GitLabFake, forge: GitLabForge, repo: str) -> None:
    number, _ = fake.open_pr(repo, "mallory", {"projects/web.yaml": b"x"}, fork=True)
    assert forge.pull_request(repo, number).fork
    fake.close(repo, number, merged=True)
    assert forge.pull_request(repo, number).state == "merged"


def test_changed_paths_follow_pages_and_renames(
    fake: GitLabFake, forge: GitLabForge, repo: str
) -> None:
    many: dict[str, bytes | None] = {f"projects/p{i:03}.yaml": b"%d" % i for i in range(248)}
    many |= {"projects/web.yaml": None, "projects/site.yaml": b"name: web\n"}  # a rename
    number, _ = fake.open_pr(repo, "alice", many)
    before = len(fake.api.calls)
    changed = forge.changed_paths(repo, number)
    assert changed == set(many)
    pages = [path for _, path in fake.api.calls[before:] if path.endswith("/diffs")]
    assert len(pages) == 3  # 250 files, 100 a page


def test_tree_and_read_file(fake: GitLabFake, forge: GitLabForge, repo: str) -> None:
    assert sorted(forge.tree(repo, "main"), key=lambda f: f.path) == [
        TreeFile("projects/alias.yaml", 0, symlink=True),
        TreeFile("projects/db/main.yaml", 0),
        TreeFile("projects/web.yaml", 0),
        TreeFile("stackgate.yaml", 0),
    ]
    sha = fake.world.project_named(repo).branches["main"]
    assert forge.read_file(repo, sha, "projects/db/main.yaml") == b"name: db\n"
    assert forge.read_file(repo, "main", "projects/alias.yaml") == b"web.yaml"
    assert forge.read_file(repo, "main", "projects/missing.yaml") is None


def test_upsert_comment_edits_in_place(fake: GitLabFake, forge: GitLabForge, repo: str) -> None:
    number, _ = fake.open_pr(repo, "alice", {"projects/web.yaml": b"x"})
    one, two = f"{COMMENT_MARKER} 1/2 -->\nplan", f"{COMMENT_MARKER} 2/2 -->\nmore"
    forge.upsert_comment(repo, number, [one, two])
    first = fake.comments(repo, number)
    assert [c.body for c in first] == [one, two]
    quoted = f"{COMMENT_MARKER} 1/2 -->\nplan, quoted by a human"
    fake.comment(repo, number, "bob", quoted)
    forge.upsert_comment(repo, number, [one + " v2"])
    after = fake.comments(repo, number)
    assert [(c.id, c.author, c.body) for c in after] == [
        (first[0].id, fake.bot, one + " v2"),
        (after[1].id, "bob", quoted),
    ]
    forge.upsert_comment(repo, number, [one + " v2", two])
    assert [c.body for c in fake.comments(repo, number)] == [one + " v2", quoted, two]


def test_upsert_comment_pages_through_many_notes(
    fake: GitLabFake, forge: GitLabForge, repo: str
) -> None:
    number, _ = fake.open_pr(repo, "alice", {"projects/web.yaml": b"x"})
    forge.upsert_comment(repo, number, [f"{COMMENT_MARKER} -->old"])
    for i in range(120):
        fake.comment(repo, number, "bob", f"chatter {i}")
    before = len(fake.api.calls)
    forge.upsert_comment(repo, number, [f"{COMMENT_MARKER} -->new"])
    listed = [p for m, p in fake.api.calls[before:] if m == "GET" and p.endswith("/notes")]
    assert len(listed) == 2  # 122 notes, 100 a page
    ours = [c for c in fake.comments(repo, number) if c.author == fake.bot]
    assert [c.body for c in ours] == [f"{COMMENT_MARKER} -->new"]


def test_comment(fake: GitLabFake, forge: GitLabForge, repo: str) -> None:
    number, _ = fake.open_pr(repo, "alice", {"projects/web.yaml": b"x"})
    forge.comment(repo, number, "no")
    assert [(c.author, c.body) for c in fake.comments(repo, number)] == [(fake.bot, "no")]


def test_statuses(fake: GitLabFake, forge: GitLabForge, repo: str) -> None:
    sha = fake.world.project_named(repo).branches["main"]
    forge.set_status(repo, sha, PLAN, StatusState.PENDING, "planning", "https://ci/1")
    forge.set_status(repo, sha, PLAN, StatusState.PENDING, "still planning", "")  # GitLab: 400
    assert fake.statuses(repo, sha)[PLAN].state == "pending"
    forge.set_status(repo, sha, PLAN, StatusState.FAILURE, "d" * 300, "")
    seen = fake.statuses(repo, sha)[PLAN]
    assert seen.state == "failed"
    assert len(seen.description) == 255 and seen.description.endswith("d…")
    forge.set_status(repo, sha, "stackgate/policy", StatusState.SUCCESS, "ok", "")
    forge.set_status(repo, sha, "stackgate/policy", StatusState.ERROR, "broke", "")
    assert fake.statuses(repo, sha)["stackgate/policy"].state == "failed"


def test_approvals_map_to_the_head_they_were_given_on(
    fake: GitLabFake, forge: GitLabForge, repo: str
) -> None:
    number, _ = fake.open_pr(repo, "alice", {"projects/web.yaml": b"x"})
    old = fake.head_sha(repo, number)
    fake.approve(repo, number, "bob")
    fake.push(repo, number, {"projects/web.yaml": b"y"})
    new = fake.head_sha(repo, number)
    fake.approve(repo, number, "carol")
    first = forge.approvals(repo, number)
    assert [(a.user, a.commit) for a in first] == [("bob", old), ("carol", new)]
    fake.approve(repo, number, "bob")  # again, after the push
    again = {a.user: a for a in forge.pull_request(repo, number).approvals}
    assert {(a.user, a.commit) for a in again.values()} == {("bob", new), ("carol", new)}
    # Each act of approving keeps the id of its note: approving again is a new one.
    assert again["bob"].given and again["bob"].given != first[0].given
    assert again["carol"].given == first[1].given


def test_can_write(fake: GitLabFake, forge: GitLabForge, repo: str) -> None:
    fake.grant(repo, "dev", write=True)
    fake.grant(repo, "rep", write=False)
    fake.world.user("outsider")
    assert forge.can_write(repo, "dev")
    assert not forge.can_write(repo, "rep")
    assert not forge.can_write(repo, "outsider")
    assert not forge.can_write(repo, "nobody-at-all")


def test_group_members(fake: GitLabFake, forge: GitLabForge, repo: str) -> None:
    fake.add_group(repo, "platform", ["ann", "ben"])
    fake.add_group(repo, "elsewhere/admins", ["cat"])
    assert forge.group_members(repo, "@platform") == {"ann", "ben"}
    assert forge.group_members(repo, "@acme/platform") == {"ann", "ben"}
    assert forge.group_members(repo, "@elsewhere/admins") == {"cat"}
    assert forge.group_members(repo, "@nobody") == set()


def test_react(fake: GitLabFake, forge: GitLabForge, repo: str) -> None:
    number, _ = fake.open_pr(repo, "alice", {"projects/web.yaml": b"x"})
    note_id, _ = fake.comment(repo, number, "bob", "/stackgate plan")
    forge.react(repo, number, note_id, Reaction.SEEN)
    forge.react(repo, number, note_id, Reaction.SEEN)  # GitLab: 404 "already been taken"
    forge.react(repo, number, note_id, Reaction.REFUSED)
    assert fake.reactions(repo, note_id) == ["eyes", "confused"]


def test_a_merged_request_says_its_commit_and_who_merged(
    fake: GitLabFake, forge: GitLabForge, repo: str
) -> None:
    check_a_merge_says_its_commit_and_who_merged(forge, fake, repo, {"projects/web.yaml": b"x"})


def test_one_issue_per_title_opened_edited_and_closed(
    fake: GitLabFake, forge: GitLabForge, repo: str
) -> None:
    check_one_issue_per_title(forge, fake, repo)


def test_commit_authors_are_everyone_who_pushed(
    fake: GitLabFake, forge: GitLabForge, repo: str
) -> None:
    check_commit_authors_are_everyone_who_pushed(forge, fake, repo, "projects/web.yaml")
