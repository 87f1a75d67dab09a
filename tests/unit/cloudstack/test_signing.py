"""Request signing against the vectors computed from CloudStack's own algorithm."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from app.cloudstack.signing import expires_at, java_quote, parse_expires, sign, string_to_sign

SECRET = "VDaACYb0LV9eNjTetIOElcVQkvJck_J_QljX_FcHRj87ZKiy0z0ty0ZsYBkoXkY9b7eq1EhwJaw7FF3akA3KBQ"
KEY = "plgWJfZK4gyS3mOMTVmjUVg-X-jlWlnfaUJ9GAbBbf9EdM-kAYMmAiLqzzq1ElZLYq_u38zCm0bewzGUdP66mg"
VECTORS = [
    (
        {"command": "listZones", "apiKey": KEY, "response": "json", "available": "true"},
        "mBXsx7V8aQNc5vny3zmdQ63KTEk=",
    ),
    (
        {
            "command": "listVirtualMachines",
            "apiKey": KEY,
            "response": "json",
            "page": "1",
            "pagesize": "500",
            "listall": "true",
            "signatureVersion": "3",
            "expires": "2030-01-01T00:00:00Z",
        },
        "jWjlDljMNoIM2c5UZokjurFO7Ww=",
    ),
    (
        {
            "command": "deployVirtualMachine",
            "apiKey": "AbC-123_xyz",
            "response": "json",
            "zoneid": "1a2b",
            "serviceofferingid": "3c4d",
            "templateid": "5e6f",
            "displayname": "My VM ~*+/&=é",
            "signatureVersion": "3",
            "expires": "2030-01-01T00:00:00+0000",
            "tags[0].key": "Env",
            "tags[0].value": "Prod A",
        },
        "a0Wp+hqzMVnpuWi0Xzem9PHnuW0=",
    ),
]


SECRETS = [SECRET, SECRET, "secret-KEY/+="]


@pytest.mark.parametrize(
    ("params", "signature", "secret"), [(*v, s) for v, s in zip(VECTORS, SECRETS, strict=True)]
)
def test_vectors(params: dict[str, str], signature: str, secret: str) -> None:
    assert sign(params, secret) == signature


def test_the_signature_itself_is_never_signed() -> None:
    params = VECTORS[0][0]
    assert sign({**params, "signature": "anything"}, SECRET) == sign(params, SECRET)


def test_tilde_and_friends_are_encoded_like_javas_url_encoder() -> None:
    assert java_quote("My VM ~*+/&=é") == "My%20VM%20%7E*%2B%2F%26%3D%C3%A9"
    assert "displayname=my%20vm%20%7e*%2b%2f%26%3d%c3%a9" in string_to_sign(VECTORS[2][0])


def test_expires_round_trips_in_the_format_servers_accept() -> None:
    now = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)
    text = expires_at(now, 600)
    assert text == "2030-01-01T12:10:00+0000"
    assert parse_expires(text) == datetime(2030, 1, 1, 12, 10, tzinfo=UTC)
    assert parse_expires("2030-01-01T00:00:00Z") == datetime(2030, 1, 1, tzinfo=UTC)
    assert parse_expires("yesterday") is None
    assert parse_expires("2030-01-01T00:00:00") is None  # no zone: refused
