"""Settings from STACKGATE_* variables, and which CloudStack answers for a cloud name."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError

from app.cloudstack.clouds import Clouds, UnknownCloud
from app.config import Settings

EXAMPLES = Path(__file__).parents[2] / "examples" / "infra"


def _settings(monkeypatch: pytest.MonkeyPatch, **env: str) -> Settings:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return Settings()


def test_nothing_configured_means_the_sandbox(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = _settings(monkeypatch)
    assert settings.uses_sandbox and settings.default_cloud() is None
    with Clouds(settings) as clouds:
        client = clouds.client("dc1")
        assert client.endpoint.url.startswith("http://127.0.0.1:")
        assert clouds.client("dc2").endpoint.url == client.endpoint.url  # one sandbox for all
        assert len(client.list("listZones")) == 3  # zone-a, zone-b and zone-sg (security groups)
        assert clouds.notices == [
            f"No CloudStack configured: using the built-in sandbox at {client.endpoint.url}"
        ]


def test_the_default_cloud_from_three_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = _settings(
        monkeypatch,
        STACKGATE_CLOUDSTACK_URL="https://cloud.example/client/api",
        STACKGATE_CLOUDSTACK_API_KEY="ak",
        STACKGATE_CLOUDSTACK_SECRET_KEY="sk",
    )
    endpoint = Clouds(settings).client("anything").endpoint
    assert (
        endpoint.url,
        endpoint.api_key.get_secret_value(),
        endpoint.secret_key.get_secret_value(),
    ) == ("https://cloud.example/client/api", "ak", "sk")
    assert "sk" not in repr(settings) and "sk" not in repr(endpoint)


def test_named_clouds_with_keys_from_files(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / "secret").write_text("from-a-file\n")
    settings = _settings(
        monkeypatch,
        STACKGATE_CLOUDS__DC1__URL="https://dc1.example/client/api",
        STACKGATE_CLOUDS__DC1__API_KEY="ak1",
        STACKGATE_CLOUDS__DC1__SECRET_KEY_FILE=str(tmp_path / "secret"),
        STACKGATE_CLOUDS__DC1__VERIFY_TLS="false",
        STACKGATE_CLOUDS__DC1__TIMEOUT="5",
    )
    clouds = Clouds(settings)
    endpoint = clouds.client("dc1").endpoint
    assert endpoint.secret_key.get_secret_value() == "from-a-file"
    assert (endpoint.verify_tls, endpoint.timeout) == (False, 5.0)
    with pytest.raises(UnknownCloud, match="cloud 'dc2' is not configured"):
        clouds.client("dc2")


def test_project_and_member_calls_use_the_privileged_key_only_where_one_is_set(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / "admin-secret").write_text("admin-secret-from-a-file\n")
    settings = _settings(
        monkeypatch,
        STACKGATE_CLOUDS__DC1__URL="https://dc1.example/client/api",
        STACKGATE_CLOUDS__DC1__API_KEY="ak1",
        STACKGATE_CLOUDS__DC1__SECRET_KEY="sk1",
        STACKGATE_CLOUDS__DC1__ADMIN_API_KEY="admin-ak1",
        STACKGATE_CLOUDS__DC1__ADMIN_SECRET_KEY_FILE=str(tmp_path / "admin-secret"),
        STACKGATE_CLOUDS__DC2__URL="https://dc2.example/client/api",
        STACKGATE_CLOUDS__DC2__API_KEY="ak2",
        STACKGATE_CLOUDS__DC2__SECRET_KEY="sk2",
    )
    with Clouds(settings) as clouds:
        admin, normal = clouds.tenancy_client("dc1"), clouds.client("dc1")
        assert admin is not normal and admin is clouds.tenancy_client("dc1")
        assert (
            admin.endpoint.api_key.get_secret_value(),
            admin.endpoint.secret_key.get_secret_value(),
            normal.endpoint.api_key.get_secret_value(),
        ) == ("admin-ak1", "admin-secret-from-a-file", "ak1")
        assert clouds.tenancy_client("dc2") is clouds.client("dc2")  # no privileged key: normal
    assert "admin-ak1" not in repr(settings)


def test_a_privileged_key_without_its_secret_is_refused_at_start(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with pytest.raises(ValidationError, match="admin_api_key and admin_secret_key go together"):
        _settings(
            monkeypatch,
            STACKGATE_CLOUDS__DC1__URL="https://x/client/api",
            STACKGATE_CLOUDS__DC1__API_KEY="a",
            STACKGATE_CLOUDS__DC1__SECRET_KEY="s",
            STACKGATE_CLOUDS__DC1__ADMIN_API_KEY="admin",
        )


def test_a_cloud_without_keys_is_refused_at_start(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ValidationError, match="secret_key or secret_key_file is required"):
        _settings(
            monkeypatch,
            STACKGATE_CLOUDS__DC1__URL="https://x/client/api",
            STACKGATE_CLOUDS__DC1__API_KEY="a",
        )


def test_the_default_cloud_without_keys_is_refused_at_start(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with pytest.raises(ValidationError, match="STACKGATE_CLOUDSTACK_URL is set, so"):
        _settings(monkeypatch, STACKGATE_CLOUDSTACK_URL="https://x/client/api")


def test_an_empty_default_cloud_url_is_refused_at_start(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ValidationError, match="STACKGATE_CLOUDSTACK_URL is empty"):
        _settings(monkeypatch, STACKGATE_CLOUDSTACK_URL="")


def test_a_plan_with_the_default_cloud_half_configured_says_so_without_a_traceback(
    tmp_path: Path,
) -> None:
    env = {**os.environ, "STACKGATE_CLOUDSTACK_URL": "https://x/client/api"}
    run = subprocess.run(
        [sys.executable, "-m", "app", "plan", str(EXAMPLES)],
        capture_output=True, text=True, env=env, cwd=tmp_path, check=False,
    )  # fmt: skip
    assert run.returncode == 2, run.stderr
    assert "STACKGATE_CLOUDSTACK_URL is set, so" in run.stderr
    assert "Traceback" not in run.stderr and "ValidationError" not in run.stderr


def test_reconcile_repos_are_forge_and_path(monkeypatch: pytest.MonkeyPatch) -> None:
    listed = "github:acme/infra, gitlab:group/sub/infra"
    settings = _settings(monkeypatch, STACKGATE_RECONCILE_REPOS=listed)
    assert settings.reconcile_repos == ["github:acme/infra", "gitlab:group/sub/infra"]
    assert (settings.reconcile_interval, settings.reconcile_issues) == (0.0, False)
    with pytest.raises(ValidationError, match="'bitbucket:acme/infra' is not forge:owner/name"):
        _settings(monkeypatch, STACKGATE_RECONCILE_REPOS="bitbucket:acme/infra")
