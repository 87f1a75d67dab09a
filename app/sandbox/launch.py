"""Build a sandbox cloud from a seed (or a saved state file) and start serving it."""

from __future__ import annotations

import secrets
from pathlib import Path

from app.sandbox.api import Api
from app.sandbox.seed import DEFAULT_SEED, read_seed, seeded_state
from app.sandbox.server import RunningSandbox, serve_in_background
from app.sandbox.store import load_state


def build_api(
    seed: Path = DEFAULT_SEED,
    api_key: str | None = None,
    secret_key: str | None = None,
    job_seconds: float = 0.0,
    state_file: Path | None = None,
) -> Api:
    """A sandbox API; a state file that exists is resumed, keys and all, unless keys are given."""
    if state_file is not None and state_file.exists():
        state = load_state(state_file)
        state.api_key = api_key or state.api_key
        state.secret_key = secret_key or state.secret_key
    else:
        state = seeded_state(
            read_seed(seed),
            api_key or secrets.token_urlsafe(32),
            secret_key or secrets.token_urlsafe(48),
        )
        state.path = state_file
        state.save()
    state.job_seconds = job_seconds
    return Api(state)


def start_sandbox(**options: object) -> RunningSandbox:
    """A fresh sandbox on a free loopback port (tests, the embedded default)."""
    return serve_in_background(build_api(**options))  # type: ignore[arg-type]
