"""How the management server reads a request and writes an answer (ApiServlet, ApiServer).

Parameter names are matched case-insensitively except the sub-keys of map parameters;
the signature is checked over the names as sent; every answer is wrapped in
``<command>response`` and an error's HTTP status is its errorcode.
"""

from __future__ import annotations

import hmac
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl

from app.cloudstack.signing import parse_expires, sign
from app.sandbox.contract import command_spec
from app.sandbox.errors import (
    AUTH_TEXT,
    MALFORMED_PARAMETER,
    PARAM_ERROR,
    UNAUTHORIZED,
    ApiError,
    bad_number,
    missing_parameter,
    unavailable_command,
)

_CONTROL = re.compile(r"[\000-\011\013-\014\016-\037\177]")
_MAP_KEY = re.compile(r"^([^\[\]]+)\[(\d+)\]\.([^\[\]]+)$")
_INTERNAL = {"command", "apikey", "signature", "signatureversion", "expires", "response", "_"}


@dataclass(frozen=True)
class Request:
    """A request as the API layer sees it once authenticated."""

    command: str  # as the contract spells it, e.g. deployVirtualMachine
    spec: dict[str, Any]
    params: dict[str, str]  # lower-cased names, map parameters excluded
    maps: dict[str, list[dict[str, str]]]  # e.g. tags → [{"key": .., "value": ..}]
    json: bool

    def get(self, name: str, default: str | None = None) -> str | None:
        return self.params.get(name, default)

    def flag(self, name: str, default: bool = False) -> bool:
        value = self.params.get(name)
        return default if value is None else value.lower() == "true"

    def number(self, name: str, default: int | None = None) -> int | None:
        value = self.params.get(name)
        if value is None or value == "":
            return default
        try:
            return int(value)
        except ValueError:
            raise bad_number(self.command, name, value) from None

    def require(self, name: str) -> str:
        value = self.params.get(name)
        if not value:
            raise missing_parameter(self.command, name)
        return value

    def ids(self, name: str) -> list[str]:
        value = self.params.get(name, "")
        return [part for part in value.split(",") if part]


def raw_params(query: str, body: str) -> dict[str, str]:
    """Query and form parameters as sent; in the query string the last repeat wins."""
    merged = dict(parse_qsl(body, keep_blank_values=True))
    merged.update(parse_qsl(query, keep_blank_values=True))
    return merged


def response_name(command: str | None) -> str:
    spec = command_spec(command) if command else None
    return f"{command.lower()}response" if spec and command else "errorresponse"


def authenticate(
    raw: dict[str, str], api_key: str, secret_key: str, now: datetime, user_id: str
) -> Request:
    """Check the key, that the caller may run the command and the signature, in the order
    ApiServer.verifyRequest does; then normalise the parameters."""
    command = raw.get("command", "")
    spec = command_spec(command)
    lowered = {_lower_name(name): value for name, value in raw.items()}
    wants_json = lowered.get("response", "").lower() == "json"
    if lowered.get("apikey") != api_key:
        raise ApiError(UNAUTHORIZED, AUTH_TEXT, None)
    if spec is None:
        raise unavailable_command(command, user_id)
    if not _signed(raw, lowered, secret_key, now):
        raise ApiError(UNAUTHORIZED, AUTH_TEXT, None)
    params: dict[str, str] = {}
    maps: dict[str, dict[int, dict[str, str]]] = {}
    for name, value in lowered.items():
        if _CONTROL.search(value):
            raise ApiError(
                PARAM_ERROR,
                "Received value containing illegal ASCII non-printable characters for parameter "
                f"{name}",
            )
        if name in _INTERNAL:
            continue
        if "[" in name:
            match = _MAP_KEY.match(name)
            if not match:
                raise ApiError(MALFORMED_PARAMETER, _map_error(name))
            maps.setdefault(match[1], {}).setdefault(int(match[2]), {})[match[3]] = value
        else:
            params[name] = value
    request = Request(
        spec["name"],
        spec,
        params,
        {k: [v[i] for i in sorted(v)] for k, v in maps.items()},
        wants_json,
    )
    _check_declared(request)
    return request


def _lower_name(name: str) -> str:
    prefix, bracket, rest = name.partition("[")
    return prefix.lower() + bracket + rest


def _signed(raw: dict[str, str], lowered: dict[str, str], secret: str, now: datetime) -> bool:
    if "signature" not in lowered:
        return False
    if lowered.get("signatureversion") == "3":
        expires = parse_expires(lowered.get("expires", ""))
        if expires is None or expires < now.astimezone(UTC):
            return False
    return hmac.compare_digest(sign(raw, secret), lowered["signature"])


def _map_error(name: str) -> str:
    return (
        f"Unable to decode parameter {name}; if specifying an object array, please use "
        "parameter[index].field=XXX, e.g. userGroupList[0].group=httpGroup"
    )


def _check_declared(request: Request) -> None:
    """Required parameters present, numbers numeric (ParamProcessWorker); unknown ones ignored."""
    for name, info in request.spec["params"].items():
        value = request.params.get(name)
        if info["required"] and not value and name not in request.maps:
            raise missing_parameter(request.command, name)
        if value and info["type"] in ("INTEGER", "LONG"):
            request.number(name)


def envelope(command: str | None, body: dict[str, Any]) -> dict[str, Any]:
    return {response_name(command): body}


def error_body(error: ApiError) -> dict[str, Any]:
    body: dict[str, Any] = {"uuidList": [], "errorcode": error.errorcode}
    if error.cserrorcode is not None:
        body["cserrorcode"] = error.cserrorcode
    body["errortext"] = error.errortext
    return body


def to_xml(name: str, value: Any) -> str:
    """The XML form of an answer, for clients that do not ask for ``response=json``."""
    if isinstance(value, dict):
        inner = "".join(to_xml(key, item) for key, item in value.items())
    elif isinstance(value, list):
        return "".join(to_xml(name, item) for item in value)
    else:
        inner = _escape("true" if value is True else "false" if value is False else str(value))
    return f"<{name}>{inner}</{name}>"


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
