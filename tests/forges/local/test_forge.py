"""The local forge answers the Forge protocol from a real bare repository, as a host would."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.events.model import Change, CommandEvent, Ignored
from app.forges.base import COMMENT_MARKER, Branch, ForgeError, Reaction, StatusState
from app.forges.local.forge import BOT, LocalForge
from app.forges.local.git import as_user, run

REPO = "acme/infra"


def _commit(checkout: Path, who: str, message: str) -> str:
    run(checkout, "add", "--all")
    run(checkout, "commit", "--quiet", "-m", message, env=as_user(who))
    return run(checkout, "rev-parse", "HEAD").strip()


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    work = tmp_path / "work"
    (work / "projects").mkdir(parents=True)
    (work / "projects" / "a.yaml").write_text("name: a\n")
    (work / "projects" / "old.yaml").write_text("name: old\n")
    (work / "stackgate.yaml").write_text("version: 1\n")
    (work / "projects" / "link.yaml").symlink_to("a.yaml")
    run(work, "init", "--quiet", "--initial-branch=main")
    _commit(work, "platform", "start")
    run(tmp_path, "clone", "--quiet", "--bare", str(work), str(tmp_path / "origin.git"))
    run(work, "remote", "add", "origin", str(tmp_path / "origin.git"))
    return work


@pytest.fixture
def forge(checkout: Path) -> LocalForge:
    return LocalForge(
        checkout.parent / "origin.git", REPO, writers={"alice"}, groups={"@leads": {"lee"}}
    )


def _branch(checkout: Path, name: str, who: str = "carol") -> str:
    run(checkout, "switch", "--quiet", "--create", name, "main")
    (checkout / "projects" / "a.yaml").write_text("name: a\nsize: 2\n")
    run(checkout, "mv", "projects/old.yaml", "projects/new.yaml")
    sha = _commit(checkout, who, f"change on {name}")
    run(checkout, "push", "--quiet", "origin", name)
    return sha


def test_a_pull_request_reads_as_on_a_host(forge: LocalForge, checkout: Path) -> None:
    head = _branch(checkout, "feature")
    opened = forge.open_pull("feature", "Grow a", "carol")
    assert (opened.number, opened.change, opened.head_sha, opened.sender) == (
        1,
        Change.OPENED,
        head,
        "carol",
    )
    pull = forge.pull_request(REPO, 1)
    main = forge.default_branch(REPO)
    assert (pull.author, pull.base_ref, pull.state) == ("carol", "main", "open")
    assert pull.head_sha == head
    assert pull.base_sha == main.sha and main.name == "main"
    # renames count by both names, as GitHub's previous_filename and GitLab's old_path do
    assert forge.changed_paths(REPO, 1) == {
        "projects/a.yaml",
        "projects/old.yaml",
        "projects/new.yaml",
    }
    files = {f.path: f for f in forge.tree(REPO, head)}
    assert files["projects/link.yaml"].symlink and not files["projects/a.yaml"].symlink
    assert files["projects/a.yaml"].size == len(b"name: a\nsize: 2\n")
    assert forge.read_file(REPO, head, "projects/a.yaml") == b"name: a\nsize: 2\n"
    assert forge.read_file(REPO, "main", "projects/a.yaml") == b"name: a\n"
    assert forge.read_file(REPO, head, "projects/old.yaml") is None
    assert forge.read_file(REPO, head, "projects/link.yaml") == b"a.yaml"  # the link itself


def test_approvals_keep_the_commit_they_were_given_on(forge: LocalForge, checkout: Path) -> None:
    first = _branch(checkout, "feature")
    forge.open_pull("feature", "Grow a", "carol")
    review = forge.approve(1, "alice")
    assert (review.number, review.sender) == (1, "alice")
    (checkout / "stackgate.yaml").write_text("version: 1\n# more\n")
    second = _commit(checkout, "carol", "more")
    run(checkout, "push", "--quiet", "origin", "feature")
    assert forge.commit_authors(REPO, 1) == {"carol"}
    (checkout / "stackgate.yaml").write_text("version: 1\n# lee's too\n")
    second = _commit(checkout, "lee", "lee helps")
    run(checkout, "push", "--quiet", "origin", "feature")
    assert forge.commit_authors(REPO, 1) == {"carol", "lee"}
    (given,) = forge.approvals(REPO, 1)
    assert (given.user, given.commit) == ("alice", first)
    forge.approve(1, "alice")  # approving again is a new act, on the new head
    assert {(a.commit, a.given != given.given) for a in forge.approvals(REPO, 1)} >= {
        (second, True)
    }
    assert forge.pull_request(REPO, 1).head_sha == second


def test_the_sticky_comment_is_edited_grown_and_shrunk(forge: LocalForge, checkout: Path) -> None:
    _branch(checkout, "feature")
    forge.open_pull("feature", "Grow a", "carol")
    assert forge.sticky_comment(REPO, 1) is None
    said = forge.say(1, "carol", "looks right to me")
    assert isinstance(said, Ignored)
    one, two = f"{COMMENT_MARKER} -->\npart one", f"{COMMENT_MARKER} -->\npart two"
    forge.upsert_comment(REPO, 1, [one, two])
    forge.upsert_comment(REPO, 1, [one + " edited"])
    forge.comment(REPO, 1, "a one-off note")
    bodies = [(c.author, c.body) for c in forge.pulls[1].comments]
    assert bodies == [
        ("carol", "looks right to me"),
        (BOT, one + " edited"),
        (BOT, "a one-off note"),
    ]
    assert forge.sticky_comment(REPO, 1) == one + " edited"


def test_a_command_comment_is_delivered_as_one(forge: LocalForge, checkout: Path) -> None:
    _branch(checkout, "feature")
    forge.open_pull("feature", "Grow a", "carol")
    command = forge.say(1, "alice", "/stackgate apply now\nplease")
    assert isinstance(command, CommandEvent)
    assert (command.verb, command.args, command.sender) == ("apply", ("now",), "alice")
    forge.react(REPO, 1, command.comment_id, Reaction.SEEN)
    assert forge.reactions[command.comment_id] == {Reaction.SEEN}


def test_statuses_people_and_groups(forge: LocalForge, checkout: Path) -> None:
    head = _branch(checkout, "feature")
    long = "x" * 300
    forge.set_status(REPO, head, "stackgate/plan", StatusState.SUCCESS, long, "http://here/")
    status = forge.statuses[head]["stackgate/plan"]
    assert (status.state, len(status.description), status.url) == (
        StatusState.SUCCESS,
        forge.status_limit,
        "http://here/",
    )
    assert forge.can_write(REPO, "alice") and not forge.can_write(REPO, "mallory")
    assert forge.group_members(REPO, "@leads") == forge.group_members(REPO, "leads") == {"lee"}
    assert forge.group_members(REPO, "@nobody") == set()


def test_a_merge_makes_a_merge_commit_on_the_base(forge: LocalForge, checkout: Path) -> None:
    head = _branch(checkout, "feature")
    before = forge.default_branch(REPO).sha
    forge.open_pull("feature", "Grow a", "carol")
    merged = forge.merge(1, "alice")
    assert (merged.change, merged.head_sha, merged.sender) == (Change.MERGED, head, "alice")
    pull = forge.pull_request(REPO, 1)
    assert (pull.state, pull.merged_by) == ("merged", "alice")
    assert forge.default_branch(REPO) == Branch("main", pull.merged_sha)
    origin = forge.root
    parents = run(origin, "rev-list", "--parents", "-n", "1", pull.merged_sha).split()[1:]
    assert parents == [before, head]
    assert run(origin, "log", "-1", "--format=%an", pull.merged_sha).strip() == "alice"
    # what the merge brought in, even now that the base has moved past the branch point
    assert "projects/a.yaml" in forge.changed_paths(REPO, 1)
    assert forge.read_file(REPO, "main", "projects/a.yaml") == b"name: a\nsize: 2\n"


def test_a_conflicting_merge_is_refused_and_changes_nothing(
    forge: LocalForge, checkout: Path
) -> None:
    _branch(checkout, "one")
    run(checkout, "switch", "--quiet", "--create", "two", "main")
    (checkout / "projects" / "a.yaml").write_text("name: a\nsize: 3\n")
    _commit(checkout, "dave", "a different size")
    run(checkout, "push", "--quiet", "origin", "two")
    forge.open_pull("one", "Size 2", "carol")
    forge.open_pull("two", "Size 3", "dave")
    forge.merge(1, "alice")
    tip = forge.default_branch(REPO).sha
    with pytest.raises(ForgeError, match="does not merge cleanly") as refused:
        forge.merge(2, "alice")
    assert not refused.value.transient
    assert forge.default_branch(REPO).sha == tip and forge.pull_request(REPO, 2).state == "open"


def test_unknown_repos_and_pull_requests_are_forge_errors(forge: LocalForge) -> None:
    with pytest.raises(ForgeError, match="no repository other/repo"):
        forge.tree("other/repo", "main")
    with pytest.raises(ForgeError, match="no pull request #7"):
        forge.pull_request(REPO, 7)
    with pytest.raises(ForgeError, match="git: "):
        forge.tree(REPO, "no-such-branch")


def test_one_open_issue_per_title(forge: LocalForge) -> None:
    forge.report_issue(REPO, "stackgate: drift", "first")
    forge.report_issue(REPO, "stackgate: drift", "second")
    assert [(i.body, i.open) for i in forge.issues] == [("second", True)]
    forge.report_issue(REPO, "stackgate: drift", None)
    forge.report_issue(REPO, "stackgate: drift", "again")
    assert [(i.body, i.open) for i in forge.issues] == [("second", False), ("again", True)]
