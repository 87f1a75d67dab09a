"""GitLabForge plans a merge request's merge ref and reads the base at the target's tip; the
fake makes that merge as git would, and refuses a conflict as GitLab does."""

from __future__ import annotations

import pytest

from app.forges.gitlab.client import GitLabForge
from tests.fakes.gitlab import GitLabFake

TWO_LINES = b"name: web\nsize: small\n"


def commit_parents(fake: GitLabFake, sha: str) -> list[str]:
    commit = fake.world.commits[sha]
    return [p for p in (commit.parent, commit.merged) if p]


def land(fake: GitLabFake, repo: str, changes: dict[str, bytes | None]) -> str:
    """Another merge request merged into main; returns main's new tip."""
    number, _ = fake.open_pr(repo, "lee", changes)
    fake.close(repo, number, merged=True)
    return fake.tip(repo)


def test_an_open_request_plans_its_merge_with_the_targets_tip(
    fake: GitLabFake, forge: GitLabForge, repo: str
) -> None:
    land(fake, repo, {"projects/web.yaml": TWO_LINES})
    number, _ = fake.open_pr(repo, "alice", {"projects/db/main.yaml": b"name: db2\n"})
    tip = land(fake, repo, {"projects/web.yaml": b"name: web\nsize: large\n", "new.yaml": b"n"})
    pull = forge.pull_request(repo, number)
    assert commit_parents(fake, pull.merge_sha) == [tip, pull.head_sha]
    assert pull.base_sha == tip and pull.plan_ref == pull.merge_sha
    # the merge keeps what main gained since the branch was cut, and adds the request's own
    assert forge.read_file(repo, pull.plan_ref, "projects/web.yaml") == b"name: web\nsize: large\n"
    assert forge.read_file(repo, pull.plan_ref, "new.yaml") == b"n"
    assert forge.read_file(repo, pull.plan_ref, "projects/db/main.yaml") == b"name: db2\n"


def test_the_merge_ref_stays_while_head_and_target_do_and_follows_them(
    fake: GitLabFake, forge: GitLabForge, repo: str
) -> None:
    number, _ = fake.open_pr(repo, "alice", {"projects/web.yaml": b"x"})
    first = forge.pull_request(repo, number).merge_sha
    assert forge.pull_request(repo, number).merge_sha == first
    tip = land(fake, repo, {"stackgate.yaml": b"defaults: {}\n"})
    again = forge.pull_request(repo, number)
    assert again.merge_sha != first and again.base_sha == tip


def test_lines_apart_in_one_file_merge_as_git_merges_them(
    fake: GitLabFake, forge: GitLabForge, repo: str
) -> None:
    lines = [b"name: web\n", b"zone: a\n", b"cloud: lab\n", b"size: small\n"]
    land(fake, repo, {"projects/web.yaml": b"".join(lines)})
    ours = b"".join([b"name: site\n", *lines[1:]])
    number, _ = fake.open_pr(repo, "alice", {"projects/web.yaml": ours})
    land(fake, repo, {"projects/web.yaml": b"".join([*lines[:3], b"size: large\n"])})
    pull = forge.pull_request(repo, number)
    merged = forge.read_file(repo, pull.plan_ref, "projects/web.yaml")
    assert merged == b"".join([b"name: site\n", *lines[1:3], b"size: large\n"])


def test_a_conflict_is_a_reason_not_a_plan(fake: GitLabFake, forge: GitLabForge, repo: str) -> None:
    number, _ = fake.open_pr(repo, "alice", {"projects/web.yaml": b"name: site\n"})
    land(fake, repo, {"projects/web.yaml": b"name: shop\n"})
    pull = forge.pull_request(repo, number)  # every other flow still reads the request
    assert (pull.state, pull.base_sha, pull.merge_sha) == ("open", "", "")
    assert f"!{number} cannot be merged into `main`" in pull.conflict
    assert "Merge request is not mergeable" in pull.conflict
    with pytest.raises(ValueError, match="conflicts"):  # nor does GitLab merge it
        fake.close(repo, number, merged=True)


def test_a_deletion_against_an_edit_conflicts(
    fake: GitLabFake, forge: GitLabForge, repo: str
) -> None:
    number, _ = fake.open_pr(repo, "alice", {"projects/web.yaml": None})
    land(fake, repo, {"projects/web.yaml": b"name: shop\n"})
    assert forge.pull_request(repo, number).conflict


def test_a_merged_request_is_based_on_the_tip_it_landed_on(
    fake: GitLabFake, forge: GitLabForge, repo: str
) -> None:
    number, _ = fake.open_pr(repo, "alice", {"projects/web.yaml": b"x"})
    tip = land(fake, repo, {"stackgate.yaml": b"defaults: {}\n"})
    fake.close(repo, number, merged=True)
    pull = forge.pull_request(repo, number)
    assert (pull.merge_sha, pull.base_sha) == ("", tip)
    assert commit_parents(fake, pull.merged_sha) == [tip, pull.head_sha]
