"""One typed Settings object, read from STACKGATE_* variables and validated at start.

Nothing else in stackgate reads the environment. Secrets are SecretStr (never printed) and
may come from files, so they need not sit in the environment at all.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Literal, Self
from urllib.parse import urlsplit

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from app.plan.cost import Prices


class CloudSettings(BaseModel):
    """One CloudStack endpoint: its URL and keys (inline or from files), TLS and timeouts."""

    model_config = ConfigDict(extra="forbid")

    url: str = Field(description="Management server API URL, e.g. https://cloud.example/client/api")
    api_key: SecretStr | None = None
    api_key_file: Path | None = None
    secret_key: SecretStr | None = None
    secret_key_file: Path | None = None
    # A domain admin's key for projects and membership only (docs/security.md says why)
    admin_api_key: SecretStr | None = None
    admin_api_key_file: Path | None = None
    admin_secret_key: SecretStr | None = None
    admin_secret_key_file: Path | None = None
    verify_tls: bool = True
    timeout: float = Field(30.0, gt=0, description="Seconds for one HTTP request")
    job_timeout: float = Field(900.0, gt=0, description="Seconds to wait for one async job")

    @model_validator(mode="after")
    def _keys_given(self) -> Self:
        for name in ("api_key", "secret_key"):
            if getattr(self, name) is None and getattr(self, f"{name}_file") is None:
                raise ValueError(f"{name} or {name}_file is required")
        if self.has_admin_key != self._given("admin_secret_key"):
            raise ValueError("admin_api_key and admin_secret_key go together (or their _file)")
        return self

    def _given(self, name: str) -> bool:
        return getattr(self, name) is not None or getattr(self, f"{name}_file") is not None

    @property
    def has_admin_key(self) -> bool:
        """A privileged key is configured for project and membership operations."""
        return self._given("admin_api_key")

    def key(self, name: str) -> SecretStr:
        """The api_key or secret_key (or an admin_ one), read from its file when given that way."""
        inline: SecretStr | None = getattr(self, name)
        if inline is not None:
            return inline
        path: Path = getattr(self, f"{name}_file")
        return SecretStr(path.read_text(encoding="utf-8").strip())


NotifyEvent = Literal["apply.finished", "apply.failed", "drift.found", "drift.healed", "lock.held"]


class NotifyReceiver(BaseModel):
    """One place notifications go: its URL (a secret: Slack's carries its token), format,
    the events it wants, and for the signed JSON format the signing secret."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(pattern=r"^[A-Za-z0-9_.-]{1,64}$", description="How logs name it")
    url: SecretStr = Field(description="http:// or https:// address to POST to")
    format: Literal["json", "slack"] = "json"
    events: list[NotifyEvent] = Field(
        default=["apply.finished", "apply.failed", "drift.found", "drift.healed", "lock.held"],
        min_length=1,
    )
    secret: SecretStr | None = None
    secret_file: Path | None = None

    @model_validator(mode="after")
    def _sendable(self) -> Self:
        address = urlsplit(self.url.get_secret_value())
        if address.scheme not in ("http", "https") or not address.hostname:
            # the URL itself may hold a token, so the message names the receiver, not it
            raise ValueError(
                f"notification receiver '{self.name}': the url must be an http:// or https:// "
                f"address, not '{address.scheme or 'no scheme'}:'"
            )
        if self.format == "json" and self.secret is None and self.secret_file is None:
            raise ValueError(
                f"notification receiver '{self.name}': the json format is signed, so it needs "
                "a secret (or secret_file)"
            )
        return self

    def signing_key(self) -> bytes:
        """The secret the JSON format is signed with, read from its file when given that way."""
        if self.secret is not None:
            return self.secret.get_secret_value().encode()
        if self.secret_file is None:
            raise ValueError(f"notification receiver '{self.name}' has no secret")
        return self.secret_file.read_text(encoding="utf-8").strip().encode()


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="STACKGATE_", env_nested_delimiter="__", extra="ignore"
    )

    cloudstack_url: str | None = Field(None, description="The default cloud's API URL")
    cloudstack_api_key: SecretStr | None = None
    cloudstack_api_key_file: Path | None = None
    cloudstack_secret_key: SecretStr | None = None
    cloudstack_secret_key_file: Path | None = None
    cloudstack_verify_tls: bool = True
    cloudstack_job_timeout: float = Field(
        900.0, gt=0, description="Seconds to wait for one async job of the default cloud"
    )
    clouds: dict[str, CloudSettings] = Field(
        default_factory=dict, description="Named clouds: STACKGATE_CLOUDS__DC1__URL=... or JSON"
    )
    prices: Prices | None = Field(
        None, description="Monthly prices for the plan's cost line (JSON)"
    )
    opa_url: str | None = Field(
        None, description="Evaluate policies on this OPA server, not in process"
    )
    policy_timeout: float = Field(10.0, gt=0, description="Seconds one policy evaluation may take")
    platform_group: str | None = Field(
        None,
        description="Who approves limit changes; default: platform_group in policies/data.json",
    )
    policy_dirs: Annotated[list[Path], NoDecode] = Field(
        default_factory=list,
        description="More trusted policy folders beside the shipped defaults, ':'-separated",
    )

    @field_validator("policy_dirs", mode="before")
    @classmethod
    def _path_list(cls, value: object) -> object:
        return (
            [Path(part) for part in value.split(os.pathsep) if part]
            if isinstance(value, str)
            else value
        )

    def policy_settings(self) -> dict[str, str]:
        """What stackgate's own settings say to policies (data.stackgate_config)."""
        return {"platform_group": self.platform_group} if self.platform_group else {}

    database_url: str = Field(
        "sqlite:///stackgate.db", description="SQLite file (default) or postgresql://…"
    )
    public_url: str = Field(
        "", description="Where people reach this service; statuses link to it when set"
    )
    dashboard_token: SecretStr | None = Field(
        None,
        description="Required to see the dashboard (bearer token, or any user with it as the "
        "Basic password); unset: the dashboard is open",
    )
    worker_threads: int = Field(4, ge=0, description="In-process workers; 0 = separate workers")
    log_format: Literal["json", "text"] = Field(
        "json", description="Service and worker logs: one JSON object per line, or plain text"
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    job_lease: float = Field(
        180.0,
        ge=1,
        description="Seconds a running job may go without its worker's heartbeat before "
        "another worker takes it over (its worker is presumed dead)",
    )
    apply_concurrency: int = Field(
        8,
        ge=1,
        description="Steps an apply runs at once per cloud, each until its own job ends; "
        "also the list calls a plan sends at once to one cloud",
    )
    reconcile_interval: float = Field(
        0.0,
        ge=0,
        description="Seconds between reconciles of each repo's default branch; 0: never",
    )
    reconcile_repos: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Repos to reconcile, as forge:owner/name, ','-separated; "
        "default: every repo stackgate has planned",
    )
    reconcile_issues: bool = Field(
        False, description="Report drift as an issue on the forge (closed when it is gone)"
    )
    notify_receivers: list[NotifyReceiver] = Field(
        default_factory=list,
        description="Where notifications of applies, drift and long locks go (JSON list)",
    )
    notify_timeout: float = Field(
        5.0, gt=0, le=60, description="Seconds one notification delivery may take"
    )
    notify_lock_after: float = Field(
        0.0, ge=0, description="Notify when a lock is held longer than this (seconds); 0: never"
    )

    @field_validator("notify_receivers")
    @classmethod
    def _distinct_receivers(cls, value: list[NotifyReceiver]) -> list[NotifyReceiver]:
        names = [receiver.name for receiver in value]
        if len(set(names)) != len(names):
            raise ValueError("notification receivers need distinct names")
        return value

    @field_validator("reconcile_repos", mode="before")
    @classmethod
    def _repo_list(cls, value: object) -> object:
        if isinstance(value, str):
            value = [part.strip() for part in value.split(",") if part.strip()]
        if isinstance(value, list):
            for entry in value:
                forge, _, repo = str(entry).partition(":")
                if forge not in ("github", "gitlab") or "/" not in repo:
                    raise ValueError(f"'{entry}' is not forge:owner/name (github: or gitlab:)")
        return value

    webhook_body_limit: int = Field(
        25 * 1024 * 1024,
        ge=1024,
        description="Largest request body in bytes; a larger one gets 413 and is not read "
        "(GitHub and GitLab send no webhook over 25 MB)",
    )
    github_webhook_secret: SecretStr | None = None
    github_token: SecretStr | None = None
    github_bot: str | None = Field(
        None,
        description="Whom an integration's token comments as, since GitHub will not say "
        "(github-actions[bot], <app slug>[bot]); unset: a user's token, asked through /user",
    )
    github_app_id: int | None = None
    github_app_private_key: SecretStr | None = None
    github_app_private_key_file: Path | None = None
    github_api_url: str = "https://api.github.com"
    gitlab_webhook_token: SecretStr | None = None
    gitlab_token: SecretStr | None = None
    gitlab_url: str = "https://gitlab.com"

    @model_validator(mode="after")
    def _default_cloud_complete(self) -> Self:
        """A default cloud half given is refused at start, not at its first call."""
        if self.cloudstack_url == "":
            raise ValueError(
                "STACKGATE_CLOUDSTACK_URL is empty: unset it to use the built-in sandbox, or "
                "give the cloud's API URL"
            )
        try:
            self.default_cloud()
        except ValidationError as problem:
            missing = "; ".join(
                error["msg"].removeprefix("Value error, ") for error in problem.errors()
            )
            raise ValueError(
                f"STACKGATE_CLOUDSTACK_URL is set, so its keys are needed: {missing} "
                "(STACKGATE_CLOUDSTACK_API_KEY / _SECRET_KEY, or their _FILE)"
            ) from None
        return self

    @model_validator(mode="after")
    def _forges_complete(self) -> Self:
        github_api = self.github_token or self.github_app_id or self.github_app_private_key
        if github_api and self.github_webhook_secret is None:
            raise ValueError("GitHub is configured without STACKGATE_GITHUB_WEBHOOK_SECRET")
        if self.github_webhook_secret and not github_api:
            raise ValueError(
                "STACKGATE_GITHUB_WEBHOOK_SECRET is set but neither STACKGATE_GITHUB_TOKEN "
                "nor STACKGATE_GITHUB_APP_ID with its private key"
            )
        if self.github_app_id and not (
            self.github_app_private_key or self.github_app_private_key_file
        ):
            raise ValueError("STACKGATE_GITHUB_APP_ID needs STACKGATE_GITHUB_APP_PRIVATE_KEY")
        if bool(self.gitlab_token) != bool(self.gitlab_webhook_token):
            raise ValueError(
                "GitLab needs both STACKGATE_GITLAB_TOKEN and STACKGATE_GITLAB_WEBHOOK_TOKEN"
            )
        return self

    def github_private_key(self) -> str | None:
        if self.github_app_private_key is not None:
            return self.github_app_private_key.get_secret_value()
        if self.github_app_private_key_file is not None:
            return self.github_app_private_key_file.read_text(encoding="utf-8")
        return None

    sandbox_state: Path | None = Field(
        None, description="Where the built-in sandbox keeps its cloud between runs"
    )

    def default_cloud(self) -> CloudSettings | None:
        """The cloud for projects whose cloud has no settings of its own."""
        if self.cloudstack_url is None:
            return None
        return CloudSettings(
            url=self.cloudstack_url,
            api_key=self.cloudstack_api_key,
            api_key_file=self.cloudstack_api_key_file,
            secret_key=self.cloudstack_secret_key,
            secret_key_file=self.cloudstack_secret_key_file,
            verify_tls=self.cloudstack_verify_tls,
            job_timeout=self.cloudstack_job_timeout,
        )

    @property
    def uses_sandbox(self) -> bool:
        return self.cloudstack_url is None and not self.clouds
