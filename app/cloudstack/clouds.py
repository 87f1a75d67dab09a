"""Which CloudStack answers for a cloud name: a configured endpoint, or the built-in sandbox."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from types import TracebackType
from typing import TYPE_CHECKING

from pydantic import SecretStr

from app.cloudstack.client import CloudStackClient, Endpoint
from app.config import CloudSettings, Settings

if TYPE_CHECKING:  # the sandbox's web server loads only when a cloud is the sandbox
    from app.sandbox.server import RunningSandbox


class UnknownCloud(LookupError):
    """A project names a cloud that has no settings and there is no default cloud."""


def endpoint(
    name: str, cloud: CloudSettings, admin: bool = False, concurrency: int = 8
) -> Endpoint:
    prefix = "admin_" if admin else ""
    return Endpoint(
        name=name,
        url=cloud.url,
        api_key=cloud.key(f"{prefix}api_key"),
        secret_key=cloud.key(f"{prefix}secret_key"),
        verify_tls=cloud.verify_tls,
        timeout=cloud.timeout,
        job_timeout=cloud.job_timeout,
        concurrency=concurrency,
    )


@dataclass
class Clouds:
    """Clients by cloud name, created on first use; with nothing configured, one sandbox for all."""

    settings: Settings
    notices: list[str] = field(default_factory=list)
    _clients: dict[str, CloudStackClient] = field(default_factory=dict)
    _sandbox: RunningSandbox | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)  # workers share one Clouds

    def client(self, name: str) -> CloudStackClient:
        with self._lock:
            if name not in self._clients:
                self._clients[name] = CloudStackClient(self._endpoint(name))
            return self._clients[name]

    def tenancy_client(self, name: str) -> CloudStackClient:
        """The client for projects and their members: the cloud's privileged key when one is
        configured (creating projects and adding members needs a domain admin), else its
        normal one. Nothing else is ever sent with the privileged key."""
        if self.settings.uses_sandbox or not self._settings_of(name).has_admin_key:
            return self.client(name)
        with self._lock:
            key = f"{name}#admin"
            if key not in self._clients:
                self._clients[key] = CloudStackClient(
                    endpoint(name, self._settings_of(name), True, self.settings.apply_concurrency)
                )
            return self._clients[key]

    def _endpoint(self, name: str) -> Endpoint:
        if self.settings.uses_sandbox:
            return self._sandbox_endpoint(name)
        return endpoint(name, self._settings_of(name), concurrency=self.settings.apply_concurrency)

    def _settings_of(self, name: str) -> CloudSettings:
        cloud = self.settings.clouds.get(name) or self.settings.default_cloud()
        if cloud is None:
            known = ", ".join(sorted(self.settings.clouds)) or "none"
            raise UnknownCloud(f"cloud '{name}' is not configured (configured: {known})")
        return cloud

    def _sandbox_endpoint(self, name: str) -> Endpoint:
        if self._sandbox is None:
            from app.sandbox.launch import build_api
            from app.sandbox.server import serve_in_background

            self._sandbox = serve_in_background(build_api(state_file=self.settings.sandbox_state))
            kept = (
                f", state in {self.settings.sandbox_state}" if self.settings.sandbox_state else ""
            )
            self.notices.append(
                f"No CloudStack configured: using the built-in sandbox at {self._sandbox.url}{kept}"
            )
        state = self._sandbox.api.state
        return Endpoint(
            name,
            self._sandbox.url,
            SecretStr(state.api_key),
            SecretStr(state.secret_key),
            concurrency=self.settings.apply_concurrency,
        )

    @property
    def sandbox(self) -> RunningSandbox | None:
        """The built-in sandbox, once a client started it (tests turn its knobs)."""
        return self._sandbox

    def api_calls(self) -> int:
        return sum(sum(client.calls.values()) for client in self._clients.values())

    def close(self) -> None:
        for client in self._clients.values():
            client.close()
        if self._sandbox is not None:
            self._sandbox.stop()
            self._sandbox = None

    def __enter__(self) -> Clouds:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()
