"""A python-gitlab client set up for a bot worker: a timeout, no sleeping, Retry-After kept."""

from __future__ import annotations

from typing import Any

import gitlab
import requests

from app.forges.gitlab.errors import RetryAfter


class _Gitlab(gitlab.Gitlab):
    """python-gitlab that reports a 429 at once instead of sleeping on it inside a worker."""

    def http_request(self, *args: Any, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("obey_rate_limit", False)
        return super().http_request(*args, **kwargs)


def connect(url: str, token: str, timeout: float, retry_after: RetryAfter) -> gitlab.Gitlab:
    """A client whose failures surface at once: the job queue retries with its own backoff."""
    session = requests.Session()
    session.hooks["response"].append(retry_after.hook)
    return _Gitlab(
        url,
        private_token=token,
        timeout=timeout,
        retry_transient_errors=False,
        per_page=100,  # GitLab's largest page
        session=session,
    )
