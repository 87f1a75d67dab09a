"""Request signing (ApiServer.verifyRequest) and the one answer every failed check gets."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from app.cloudstack.signing import sign, string_to_sign
from tests.sandbox.conftest import API_KEY, SECRET_KEY, CloudStackHttp, example

API_SUBSET = Path(__file__).parents[3] / "shared" / "cloudstack" / "api-subset.json"
AUTH_TEXT = "unable to verify user credentials and/or request signature"
JSON_TYPE = "application/json; charset=UTF-8"


@pytest.mark.parametrize(
    "vector", example("signature_test_vectors.json"), ids=lambda v: v["params"]["command"]
)
def test_signature_vectors(vector: dict[str, Any]) -> None:
    assert string_to_sign(vector["params"]) == vector["string_to_sign"]
    assert sign(vector["params"], vector["secret"]) == vector["signature"]


@pytest.mark.skipif(not API_SUBSET.exists(), reason="../shared/cloudstack is not beside the repo")
def test_the_vectors_are_a_copy_of_the_api_subset() -> None:
    subset = json.loads(API_SUBSET.read_text(encoding="utf-8"))
    assert example("signature_test_vectors.json") == subset["signature"]["test_vectors"]


def _refused(response: Any, outer: str) -> None:
    assert response.status_code == 401
    assert response.headers["content-type"] == JSON_TYPE
    assert response.json() == {outer: {"uuidList": [], "errorcode": 401, "errortext": AUTH_TEXT}}


def _signed(command: str, secret: str = SECRET_KEY, **params: str) -> dict[str, str]:
    query = {"command": command, "apiKey": API_KEY, "response": "json", **params}
    query["signature"] = sign(query, secret)
    return query


def test_a_bad_signature_is_refused(api: CloudStackHttp) -> None:
    _refused(api.send(_signed("listZones", secret="not-the-secret")), "listzonesresponse")


def test_a_signature_over_other_values_is_refused(api: CloudStackHttp) -> None:
    query = _signed("listZones", name="zone-a")
    query["name"] = "zone-b"
    _refused(api.send(query), "listzonesresponse")


def test_an_unknown_api_key_is_refused(api: CloudStackHttp) -> None:
    query = {"command": "listZones", "apiKey": "someone-else", "response": "json"}
    query["signature"] = sign(query, SECRET_KEY)
    _refused(api.send(query), "listzonesresponse")


def test_a_missing_signature_is_refused(api: CloudStackHttp) -> None:
    query = _signed("listZones")
    del query["signature"]
    _refused(api.send(query), "listzonesresponse")


def test_an_expired_version_3_request_is_refused(api: CloudStackHttp) -> None:
    past = (datetime.now(UTC) - timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%S+0000")
    query = _signed("listVirtualMachines", signatureVersion="3", expires=past)
    _refused(api.send(query), "listvirtualmachinesresponse")


def test_version_3_without_expires_is_refused(api: CloudStackHttp) -> None:
    _refused(api.send(_signed("listZones", signatureVersion="3")), "listzonesresponse")


def _unavailable(response: Any, command: str) -> None:
    """432 under errorresponse, from the role check (DynamicRoleBasedAPIAccessChecker)."""
    assert response.status_code == 432
    body = response.json()["errorresponse"]
    assert body["errorcode"] == 432
    assert re.fullmatch(
        rf"The API \[{command}\] does not exist or is not available for the account for user id "
        r"\[[0-9a-f-]{36}\]\.",
        body["errortext"],
    ), body
    assert response.headers["X-Description"] == body["errortext"]


def test_an_unknown_command_is_432_under_errorresponse(api: CloudStackHttp) -> None:
    _unavailable(api.send(_signed("launchRocket")), "launchRocket")


def test_command_names_are_case_sensitive(api: CloudStackHttp) -> None:
    _unavailable(api.send(_signed("listzones")), "listzones")


def test_the_role_check_comes_before_the_signature(api: CloudStackHttp) -> None:
    _unavailable(api.send(_signed("launchRocket", secret="wrong")), "launchRocket")


def test_an_unknown_command_with_an_unknown_key_is_401(api: CloudStackHttp) -> None:
    query = {"command": "launchRocket", "apiKey": "someone-else", "response": "json"}
    query["signature"] = sign(query, SECRET_KEY)
    _refused(api.send(query), "errorresponse")


def test_unknown_commands_are_counted(api: CloudStackHttp) -> None:
    calls = api.url.removesuffix("/client/api") + "/sandbox/calls"
    before = api.session.get(calls, timeout=10).json().get("fetchRocket", 0)
    api.send(_signed("fetchRocket"))
    assert api.session.get(calls, timeout=10).json()["fetchRocket"] == before + 1


@pytest.mark.parametrize("expires", ["+0000", "Z"])
def test_a_future_version_3_request_is_accepted(api: CloudStackHttp, expires: str) -> None:
    later = datetime.now(UTC) + timedelta(minutes=10)
    query = _signed(
        "listZones", signatureVersion="3", expires=later.strftime("%Y-%m-%dT%H:%M:%S") + expires
    )
    response = api.send(query)
    assert response.status_code == 200, response.text
    assert response.json()["listzonesresponse"]["count"] == 3


def test_values_with_reserved_characters_verify(api: CloudStackHttp) -> None:
    """Java's URLEncoder encodes ``~``, ``+``, ``/``, ``=`` and ``&``; ``*`` stays as it is."""
    response = api.send(_signed("listZones", keyword="a ~*+/&=é"))
    assert response.status_code == 200, response.text
    assert response.json() == {"listzonesresponse": {}}


def test_post_form_requests_verify_like_get(api: CloudStackHttp) -> None:
    response = api.send(_signed("listZones", name="zone-a"), post=True)
    assert response.status_code == 200, response.text
    assert response.json()["listzonesresponse"]["zone"][0]["name"] == "zone-a"


def test_parameter_names_are_case_insensitive_but_signed_as_sent(api: CloudStackHttp) -> None:
    zone = api.one("listZones", name="zone-a")
    assert api.one("listZones", Id=zone["id"])["name"] == "zone-a"
