"""A fresh sandbox per test, and stackgate's client pointed at it over real HTTP."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pydantic import SecretStr

from app.cloudstack.client import CloudStackClient, Endpoint
from app.sandbox.launch import build_api
from app.sandbox.server import RunningSandbox, serve_in_background

API_KEY = "key-AbC123-for-tests"
SECRET_KEY = "secret~with/special+chars=xyz"


@pytest.fixture
def sandbox() -> Iterator[RunningSandbox]:
    running = serve_in_background(build_api(api_key=API_KEY, secret_key=SECRET_KEY))
    yield running
    running.stop()


def make_client(sandbox: RunningSandbox, **options: float | int) -> CloudStackClient:
    endpoint = Endpoint("dc1", sandbox.url, SecretStr(API_KEY), SecretStr(SECRET_KEY), **options)  # type: ignore[arg-type]
    return CloudStackClient(endpoint, sleep=lambda _seconds: None)


@pytest.fixture
def client(sandbox: RunningSandbox) -> Iterator[CloudStackClient]:
    made = make_client(sandbox)
    yield made
    made.close()
