"""Who stackgate is on GitHub: one PyGithub client per repository owner, token or App."""

from __future__ import annotations

import math
import threading
from typing import Any

from github import Auth, Github, GithubException, GithubIntegration

from app.forges.base import ForgeError

_PER_PAGE = 100  # GitHub's maximum: fewest round trips when listing files and comments


class Sessions:
    """A PyGithub client and the bot's login for any ``owner/name``.

    A token acts the same everywhere. A GitHub App acts through one installation per owner,
    found once and cached; PyGithub refreshes the installation token itself. An integration's
    token (an Actions job's GITHUB_TOKEN, an App installation's) is refused ``GET /user``,
    so its bot login is given (``github-actions[bot]``, ``<app slug>[bot]``).
    """

    def __init__(
        self,
        api_url: str,
        token: str | None,
        app_id: int | None,
        private_key: str | None,
        timeout: float,
        bot: str | None = None,
    ) -> None:
        app = app_id is not None and private_key is not None
        half_app = (app_id is None) != (private_key is None)
        if half_app or (token is None) != app:
            raise ValueError("give either a token, or an app_id with its private_key")
        self._options: dict[str, Any] = {
            "base_url": api_url.rstrip("/"),
            "timeout": math.ceil(timeout),
            "per_page": _PER_PAGE,
            "retry": None,  # the job queue retries; PyGithub's own retry would hammer 5xx
            "seconds_between_requests": None,
            "seconds_between_writes": None,
            "lazy": True,  # objects are fetched when read, so writes skip needless GETs
        }
        self._lock = threading.Lock()
        self._by_owner: dict[str, tuple[Github, str | None]] = {}
        self._token_client: Github | None = None
        self._bot = bot
        self._app: GithubIntegration | None = None
        if token is not None:
            self._token_client = Github(auth=Auth.Token(token), **self._options)
            self.secrets: tuple[str, ...] = (token,)
        else:
            assert app_id is not None and private_key is not None
            self._app = GithubIntegration(auth=Auth.AppAuth(app_id, private_key), **self._options)
            self.secrets = (private_key, *_key_lines(private_key))

    def renew(self) -> bool:
        """After a 401: an App's installation token may be gone before PyGithub expected
        (revoked, or a clock ahead of ours), so forget the installations' clients and let the
        next call ask for new tokens; True when that may help: there were installation tokens
        (not a plain token, nor an App whose own key was refused before it got any)."""
        if self._app is None:
            return False
        with self._lock:
            had = bool(self._by_owner)
            self._by_owner.clear()
        return had

    def client(self, repo: str) -> Github:
        return self._session(repo)[0]

    def bot(self, repo: str) -> str:
        """The login the bot's comments carry: the given one, the token's user, or
        ``<app slug>[bot]``."""
        client, login = self._session(repo)
        if login is None:
            login = _login(client)
            with self._lock:
                self._by_owner[_owner(repo)] = (client, login)
        return login

    def _session(self, repo: str) -> tuple[Github, str | None]:
        owner = _owner(repo)
        with self._lock:
            known = self._by_owner.get(owner)
        if known is not None:
            return known
        if self._token_client is not None:
            session: tuple[Github, str | None] = (self._token_client, self._bot)
        else:
            assert self._app is not None
            installation = self._app.get_repo_installation(owner, repo.partition("/")[2])
            client = self._app.get_github_for_installation(installation.id)
            session = (client, f"{installation.app_slug}[bot]")
        with self._lock:
            return self._by_owner.setdefault(owner, session)


def _login(client: Github) -> str:
    try:
        return client.get_user().login
    except GithubException as error:
        if error.status != 403:
            raise
        raise ForgeError(
            "GitHub will not say whose token this is (GET /user: 403): an Actions GITHUB_TOKEN "
            "or an App's installation token has no user, so give stackgate its bot login "
            "(github-actions[bot], <app slug>[bot]; in CI: STACKGATE_GITHUB_BOT)",
            transient=False,
        ) from None


def _owner(repo: str) -> str:
    owner, slash, name = repo.partition("/")
    if not (owner and slash and name):
        raise ValueError(f"not an owner/name repository: {repo!r}")
    return owner


def _key_lines(private_key: str) -> tuple[str, ...]:
    """The key's base64 lines, so even a fragment of it is scrubbed from messages."""
    return tuple(line.strip() for line in private_key.splitlines() if len(line.strip()) >= 16)
