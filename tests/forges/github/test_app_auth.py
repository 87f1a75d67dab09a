"""GitHubForge as a GitHub App: JWT, installation token, and the bot's ``<slug>[bot]`` login."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from app.config import Settings
from app.forges.base import COMMENT_MARKER, ForgeError, StatusState
from app.forges.github.client import GitHubForge
from app.service import forges
from tests.fakes.github import GitHubFake
from tests.leaks import SCANNER

APP_ID = 4242


def pem_pair() -> tuple[str, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    )
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    SCANNER.secret("GitHub App private key", private.decode())
    return private.decode(), public.decode()


@pytest.fixture(scope="module")
def keys() -> tuple[str, str]:
    return pem_pair()


@pytest.fixture(scope="module")
def fake(keys: tuple[str, str]) -> Iterator[GitHubFake]:
    started = GitHubFake().start()
    started.enable_app(APP_ID, keys[1], slug="stackgate")
    started.create_repo("acme/infra", {"stackgate.yaml": b"repo: acme/infra\n"})
    yield started
    started.stop()


def test_app_acts_through_its_installation(fake: GitHubFake, keys: tuple[str, str]) -> None:
    forge = GitHubForge(api_url=fake.api_url, app_id=APP_ID, private_key=keys[0])
    number, _ = fake.open_pr("acme/infra", "alice", {"a.txt": b"a"})
    assert forge.pull_request("acme/infra", number).author == "alice"
    forge.upsert_comment("acme/infra", number, [f"{COMMENT_MARKER} -->"])
    forge.upsert_comment("acme/infra", number, [f"{COMMENT_MARKER} again -->"])
    comments = fake.comments("acme/infra", number)
    assert [(c.author, c.body) for c in comments] == [
        ("stackgate[bot]", f"{COMMENT_MARKER} again -->")
    ]
    sha = fake.head_sha("acme/infra", number)
    forge.set_status("acme/infra", sha, "stackgate/plan", StatusState.SUCCESS, "ok", "")
    assert fake.statuses("acme/infra", sha)["stackgate/plan"].state == "success"
    installs = [url for method, url in fake.api.requests if method == "POST" and "/app/" in url]
    assert len(installs) == 1  # one installation token, reused


def test_a_foreign_key_is_refused_without_leaking_it(fake: GitHubFake) -> None:
    private, _ = pem_pair()
    forge = GitHubForge(api_url=fake.api_url, app_id=APP_ID, private_key=private)
    with pytest.raises(ForgeError) as raised:
        forge.pull_request("acme/infra", 1)
    assert not raised.value.transient and "401" in str(raised.value)
    key_body = "".join(private.splitlines()[1:-1])
    assert not any(line in str(raised.value) for line in private.splitlines()[1:-1])
    assert key_body not in str(raised.value)


def test_the_wrong_app_id_is_refused(fake: GitHubFake, keys: tuple[str, str]) -> None:
    forge = GitHubForge(api_url=fake.api_url, app_id=APP_ID + 1, private_key=keys[0])
    with pytest.raises(ForgeError, match="401"):
        forge.changed_paths("acme/infra", 1)


def test_the_service_settings_build_an_app_client_from_a_key_file(
    fake: GitHubFake, keys: tuple[str, str], tmp_path
) -> None:
    key_file = tmp_path / "app.pem"
    key_file.write_text(keys[0])
    settings = Settings.model_validate(
        {
            "github_webhook_secret": "s",
            "github_app_id": APP_ID,
            "github_app_private_key_file": str(key_file),
            "github_api_url": fake.api_url,
        }
    )
    forge = forges(settings)["github"]
    number, _ = fake.open_pr("acme/infra", "carol", {"b.txt": b"b"})
    assert forge.pull_request("acme/infra", number).author == "carol"


def test_the_installation_token_is_refreshed_before_it_expires(
    fake: GitHubFake, keys: tuple[str, str]
) -> None:
    """GitHub's tokens last an hour; here 22 s, so that PyGithub's 20 s margin is near."""
    fake.apps.token_lifetime = timedelta(seconds=22)
    fake.apps.issued.clear()
    try:
        forge = GitHubForge(api_url=fake.api_url, app_id=APP_ID, private_key=keys[0])
        number, _ = fake.open_pr("acme/infra", "alice", {"b.txt": b"b"})
        assert forge.pull_request("acme/infra", number).author == "alice"
        time.sleep(2.5)  # inside the margin now: the next call must bring a new token
        assert forge.pull_request("acme/infra", number).number == number
        (first, first_expiry), (second, _) = fake.apps.issued
        assert first != second and datetime.now(UTC) < first_expiry  # before, not after
    finally:
        fake.apps.token_lifetime = timedelta(hours=1)


def test_an_expired_token_is_refused_by_the_fake_as_by_github(fake: GitHubFake) -> None:
    token = "ghs_expired"
    with fake.api.lock:
        fake.api.tokens[token] = "stackgate[bot]"
        fake.api.expiries[token] = time.time() - 1
    answer = httpx.get(
        f"{fake.api_url}/repos/acme/infra", headers={"Authorization": f"token {token}"}
    )
    assert (answer.status_code, answer.json()["message"]) == (401, "Bad credentials")
