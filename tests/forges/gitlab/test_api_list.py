"""docs/gitlab-api.md is the whole of what stackgate asks of GitLab: one round of every forge
operation calls each listed endpoint and nothing else (conftest.py fails any test that calls
an unlisted one), and the fake's answers carry every field the list says stackgate reads."""

from __future__ import annotations

import httpx

from app.forges.base import COMMENT_MARKER, Reaction, StatusState
from app.forges.gitlab.client import GitLabForge
from tests.fakes.gitlab import GitLabFake
from tests.forges.gitlab.documented import endpoint_of, endpoints, missing_fields

WEB = "projects/web.yaml"


def _every_operation(fake: GitLabFake, forge: GitLabForge, repo: str) -> None:
    """Each Forge operation once, on data that makes every answer non-empty."""
    fake.grant(repo, "dev", write=True)
    fake.add_group(repo, "platform", ["ann"])
    merged, _ = fake.open_pr(repo, "alice", {WEB: b"merged"})
    fake.close(repo, merged, merged=True, by="lee")
    assert forge.merge_request_of(repo, fake.tip(repo)) == merged
    number, _ = fake.open_pr(repo, "alice", {WEB: b"open"})
    fake.approve(repo, number, "bob")
    note_id, _ = fake.comment(repo, number, "bob", "/stackgate plan")
    forge.pull_request(repo, number)
    forge.pull_request(repo, merged)
    forge.changed_paths(repo, number)
    forge.commit_authors(repo, number)
    forge.tree(repo, "main")
    forge.read_file(repo, "main", WEB)
    forge.upsert_comment(repo, number, [f"{COMMENT_MARKER} 1/2 -->a", f"{COMMENT_MARKER} 2/2 -->b"])
    forge.upsert_comment(repo, number, [f"{COMMENT_MARKER} 1/1 -->c"])
    forge.sticky_comment(repo, number)
    forge.comment(repo, number, "hello")
    forge.react(repo, number, note_id, Reaction.SEEN)
    forge.set_status(
        repo, fake.head_sha(repo, number), "stackgate/plan", StatusState.SUCCESS, "ok", ""
    )
    assert forge.can_write(repo, "dev")
    assert forge.group_members(repo, "@platform") == {"ann"}
    forge.default_branch(repo)
    forge.report_issue(repo, "stackgate: drift", "one")
    forge.report_issue(repo, "stackgate: drift", "two")
    forge.report_issue(repo, "stackgate: drift", None)


def test_one_round_of_every_operation_calls_each_listed_endpoint(
    fake: GitLabFake, forge: GitLabForge, repo: str
) -> None:
    before = len(fake.api.calls)
    _every_operation(fake, forge, repo)
    used = {endpoint_of(*call) for call in fake.api.calls[before:]}
    assert [(e.method, e.path) for e in endpoints() if e not in used] == []


def test_the_fakes_answers_carry_the_fields_stackgate_reads(
    fake: GitLabFake, forge: GitLabForge, repo: str
) -> None:
    before = len(fake.api.calls)
    _every_operation(fake, forge, repo)
    reads = sorted({(m, path) for m, path in fake.api.calls[before:] if m == "GET"})
    lacking = {}
    with httpx.Client(base_url=fake.api_url, headers={"PRIVATE-TOKEN": fake.token}) as http:
        for method, path in reads:
            endpoint = endpoint_of(method, path)
            assert endpoint is not None
            if not endpoint.fields:  # a file's bytes
                continue
            answer = http.get(path, params={"per_page": 100})
            assert answer.status_code == 200, (path, answer.text)
            assert answer.json(), f"{path}: an empty answer checks nothing"
            missed = missing_fields(answer.json(), endpoint)
            if missed:
                lacking[path] = missed
    assert lacking == {}
