"""What the flows work with, built once at start: store, forges, clouds, policy engine."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlparse

from sqlalchemy.orm import Session, sessionmaker

from app.cloudstack.clouds import Clouds
from app.config import Settings
from app.forges.base import Forge
from app.policy.engines import PolicyEngine
from app.policy.model import PolicySet
from app.policy.sources import platform_policy_set


@dataclass
class Services:
    settings: Settings
    sessions: sessionmaker[Session]
    forges: Mapping[str, Forge]
    clouds: Clouds
    engine: PolicyEngine

    def forge(self, name: str) -> Forge:
        return self.forges[name]

    def policies(self, repo_files: Mapping[str, str]) -> PolicySet:
        return platform_policy_set(self.settings, repo_files=repo_files)

    def repo_id(self, forge: str, repo: str) -> str:
        """How the cloud's tags name a repo when stackgate.yaml does not: host/path."""
        urls = {"github": self.settings.github_api_url, "gitlab": self.settings.gitlab_url}
        host = urlparse(urls.get(forge, "")).hostname or forge
        return f"{host.removeprefix('api.')}/{repo}"

    def pr_noun(self, forge: str) -> str:
        return "merge request" if forge == "gitlab" else "pull request"
