"""A forge configured without its webhook secret refuses to start, with a message, not a trace."""

from __future__ import annotations

import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

from app.cli import cli
from app.config import Settings


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"github_token": "t"}, "without STACKGATE_GITHUB_WEBHOOK_SECRET"),
        ({"github_webhook_secret": "s"}, "neither STACKGATE_GITHUB_TOKEN"),
        (
            {"github_webhook_secret": "s", "github_app_id": 7},
            "needs STACKGATE_GITHUB_APP_PRIVATE_KEY",
        ),
        ({"gitlab_token": "t"}, "needs both"),
        ({"gitlab_webhook_token": "s"}, "needs both"),
    ],
)
def test_incomplete_forge_settings_are_refused(values: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        Settings.model_validate(values)


def test_complete_settings_are_accepted() -> None:
    settings = Settings.model_validate(
        {
            "github_webhook_secret": "s",
            "github_token": "t",
            "gitlab_token": "t",
            "gitlab_webhook_token": "w",
        }
    )
    assert settings.github_webhook_secret is not None


def test_serve_refuses_to_start_and_says_why(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STACKGATE_GITHUB_TOKEN", "ghp_secret_value")
    result = CliRunner().invoke(cli, ["serve"])
    assert result.exit_code == 2
    assert "STACKGATE_GITHUB_WEBHOOK_SECRET" in result.output
    assert "Traceback" not in result.output and "ghp_secret_value" not in result.output
