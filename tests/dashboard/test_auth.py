"""With STACKGATE_DASHBOARD_TOKEN set, the dashboard wants it; nothing else the service answers
does, and without the setting the page is open."""

from __future__ import annotations

import httpx
import pytest

from app.background import serve_in_background
from app.main import create_app
from tests.dashboard.conftest import TOKEN, World, basic
from tests.scenarios.harness import Stackgate

REFUSED = [
    None,
    f"Bearer {TOKEN}x",
    f"Bearer {TOKEN[:-1]}",
    "Bearer",
    f"Token {TOKEN}",
    basic("ops", "wrong"),
    basic(TOKEN, ""),  # the token as the user name is not the password
    "Basic not-base64!",
    f"Basic {TOKEN}",
]


@pytest.mark.parametrize("path", ["/", "/api/dashboard"])
@pytest.mark.parametrize("auth", REFUSED)
def test_without_the_token_the_dashboard_answers_401_with_a_challenge(
    world: World, path: str, auth: str | None
) -> None:
    answer = world.get(path, auth=auth)
    assert answer.status_code == 401
    assert answer.headers["www-authenticate"] == 'Basic realm="stackgate"'
    assert "acme/infra" not in answer.text


@pytest.mark.parametrize("auth", [f"Bearer {TOKEN}", basic("ops", TOKEN), basic("", TOKEN)])
def test_the_token_as_bearer_or_as_any_users_basic_password_lets_one_in(
    world: World, auth: str
) -> None:
    answer = world.get(auth=auth)
    assert answer.status_code == 200 and "Open pull requests" in answer.text
    assert world.get("/api/dashboard", auth=auth).json()["version"]


def test_health_metrics_and_webhooks_need_no_dashboard_token(world: World) -> None:
    assert world.get("/healthz", auth=None).status_code == 200
    assert world.get("/readyz", auth=None).status_code == 200
    assert world.get("/metrics", auth=None).status_code == 200
    stackgate: Stackgate = world.stackgate
    answer = stackgate.send(stackgate.fake.unsupported_delivery())  # signed, no dashboard token
    assert answer.status_code == 200 and "ignored" in answer.json()


def test_without_the_setting_the_dashboard_is_open(world: World) -> None:
    services = world.stackgate.services
    settings = services.settings.model_copy(update={"dashboard_token": None})
    served = serve_in_background(create_app(settings, services), "open-dashboard")
    try:
        answer = httpx.get(f"{served.base_url}/")
    finally:
        served.stop()
    assert answer.status_code == 200 and f"#{world.holder}" in answer.text
