"""GitLab failures become ForgeError: transient or not, Retry-After kept, the token never shown."""

from __future__ import annotations

import logging
import socket
from collections.abc import Callable

import pytest
from gitlab.exceptions import GitlabGetError

from app.forges.base import ForgeError
from app.forges.gitlab.client import GitLabForge
from app.forges.gitlab.errors import RetryAfter, translated
from tests.fakes.base import FailurePlan
from tests.fakes.gitlab import GitLabFake


def failure(call: Callable[[], object]) -> ForgeError:
    with pytest.raises(ForgeError) as caught:
        call()
    return caught.value


def test_bad_gateway_is_transient(fake: GitLabFake, forge: GitLabForge, repo: str) -> None:
    fake.fail_next(FailurePlan(1, 502, path_contains="/repository/tree"))
    error = failure(lambda: forge.tree(repo, "main"))
    assert error.transient and error.retry_after is None
    assert "502" in str(error)
    assert len(forge.tree(repo, "main")) == 4  # only the next call failed


def test_rate_limit_is_transient_with_retry_after(
    fake: GitLabFake, forge: GitLabForge, repo: str
) -> None:
    fake.fail_next(FailurePlan(1, 429, headers={"Retry-After": "7"}))
    error = failure(lambda: forge.read_file(repo, "main", "stackgate.yaml"))
    assert error.transient and error.retry_after == 7.0


@pytest.mark.parametrize("status", [401, 403, 404, 422])
def test_client_errors_are_not_transient(
    fake: GitLabFake, forge: GitLabForge, repo: str, status: int
) -> None:
    fake.fail_next(FailurePlan(1, status, path_contains="/merge_requests/"))
    error = failure(lambda: forge.pull_request(repo, 1))
    assert not error.transient and error.retry_after is None


def test_missing_merge_request_is_not_transient(forge: GitLabForge, repo: str) -> None:
    error = failure(lambda: forge.pull_request(repo, 999))
    assert not error.transient
    assert "404" in str(error)


def test_unreachable_host_is_transient() -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    forge = GitLabForge(f"http://127.0.0.1:{port}", token="glpat-unreachable", timeout=2)
    error = failure(lambda: forge.tree("acme/infra", "main"))
    assert error.transient
    assert "glpat-unreachable" not in str(error)


def test_token_never_in_messages_or_logs(
    fake: GitLabFake, repo: str, caplog: pytest.LogCaptureFixture
) -> None:
    token = "glpat-very-secret-value"
    wrong = GitLabForge(fake.api_url, token=token, timeout=5)
    with caplog.at_level(logging.DEBUG):
        error = failure(lambda: wrong.pull_request(repo, 1))
        fake.fail_next(FailurePlan(1, 502))
        transient = failure(lambda: wrong.tree(repo, "main"))
    assert "401" in str(error) and not error.transient
    for text in (str(error), str(transient), repr(error.__cause__), repr(error.__context__)):
        assert token not in text
    assert error.__cause__ is None  # the original holds the request and its token header
    assert caplog.records
    assert all(token not in record.getMessage() for record in caplog.records)


def test_an_echoed_token_is_scrubbed() -> None:
    token = "glpat-echoed"
    with pytest.raises(ForgeError) as caught, translated(token, RetryAfter()):
        raise GitlabGetError(f"bad token {token}", response_code=400)
    assert token not in str(caught.value)
    assert "[token]" in str(caught.value)
