"""Small value types of the repo format: names, CIDRs, port ranges and quota limits."""

from __future__ import annotations

import ipaddress
import re
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    PlainSerializer,
    PlainValidator,
    WithJsonSchema,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import PydanticCustomError, core_schema

from app.spec.units import SIZE_PATTERN, Size

NAME_PATTERN = r"^[a-z0-9]([a-z0-9._-]{0,61}[a-z0-9])?$"
HOSTNAME_PATTERN = r"^[a-zA-Z]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$"
_NAME = re.compile(NAME_PATTERN)
_HOSTNAME = re.compile(HOSTNAME_PATTERN)
UNLIMITED: Literal["unlimited"] = "unlimited"


def bad_value(message: str, hint: str = "") -> PydanticCustomError:
    return PydanticCustomError("bad_value", message, {"hint": hint})


def is_name(value: str) -> bool:
    return _NAME.match(value) is not None


def _check_name(value: str) -> str:
    if not is_name(value):
        raise bad_value(
            f"'{value}' is not a valid name",
            "use lower-case letters, digits, '.', '_' and '-' (at most 63)",
        )
    return value


def _check_hostname(value: str) -> str:
    if not _HOSTNAME.match(value):
        raise bad_value(
            f"'{value}' is not a valid instance name",
            "it becomes the hostname: letters, digits and '-', starting with a letter",
        )
    return value


def _check_cidr(value: str) -> str:
    try:
        return str(ipaddress.ip_network(value, strict=True))
    except ValueError:
        try:
            network = ipaddress.ip_network(value, strict=False)
        except ValueError:
            raise bad_value(f"'{value}' is not a CIDR", "write it like 10.1.0.0/24") from None
        raise bad_value(f"'{value}' has host bits set", f"did you mean '{network}'?") from None


ROOT_DOMAIN = "ROOT"
DOMAIN_PATTERN = r"^ROOT(/[^/]+)*$"


def _check_domain(value: str) -> str:
    if not re.fullmatch(DOMAIN_PATTERN, value):
        raise bad_value(
            f"'{value}' is not a CloudStack domain path", "write it like ROOT/apps/retail"
        )
    return value


DomainPath = Annotated[
    str,
    AfterValidator(_check_domain),
    WithJsonSchema({"type": "string", "pattern": DOMAIN_PATTERN, "examples": ["ROOT/apps"]}),
]
Name = Annotated[
    str, AfterValidator(_check_name), WithJsonSchema({"type": "string", "pattern": NAME_PATTERN})
]
HostName = Annotated[
    str,
    AfterValidator(_check_hostname),
    WithJsonSchema({"type": "string", "pattern": HOSTNAME_PATTERN}),
]
Cidr = Annotated[
    str,
    AfterValidator(_check_cidr),
    WithJsonSchema({"type": "string", "examples": ["10.1.0.0/24"]}),
]


class PortRange:
    """One port (``443``) or an inclusive range (``"8000-8100"``)."""

    LOWEST = 1  # a security group rule's ports start at 0 (app/spec/groups.py)

    __slots__ = ("end", "start")

    def __init__(self, start: int, end: int) -> None:
        self.start, self.end = start, end

    @classmethod
    def parse(cls, value: Any) -> PortRange:
        if isinstance(value, PortRange):
            return value
        if isinstance(value, int) and not isinstance(value, bool):
            start = end = value
        elif isinstance(value, str) and re.fullmatch(r"\s*\d+\s*-\s*\d+\s*", value):
            start, end = (int(part) for part in value.split("-"))
        elif isinstance(value, str) and value.strip().isdigit():
            start = end = int(value)
        else:
            raise bad_value(f"'{value}' is not a port or port range", "write 443 or '8000-8100'")
        if not cls.LOWEST <= start <= end <= 65535:
            raise bad_value(f"port range '{value}' is out of {cls.LOWEST}-65535 or reversed", "")
        return cls(start, end)

    def __str__(self) -> str:
        return str(self.start) if self.start == self.end else f"{self.start}-{self.end}"

    def __repr__(self) -> str:
        return f"PortRange({self})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PortRange) and (other.start, other.end) == (self.start, self.end)

    def __hash__(self) -> int:
        return hash((self.start, self.end))

    @classmethod
    def __get_pydantic_core_schema__(
        cls, _source: Any, _handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.no_info_plain_validator_function(
            cls.parse, serialization=core_schema.plain_serializer_function_ser_schema(str)
        )

    @classmethod
    def __get_pydantic_json_schema__(
        cls, _schema: core_schema.CoreSchema, _handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return {
            "oneOf": [
                {"type": "integer", "minimum": cls.LOWEST, "maximum": 65535},
                {"type": "string", "pattern": r"^\s*\d+\s*(-\s*\d+\s*)?$"},
            ]
        }


def _count_limit(value: Any) -> int | Literal["unlimited"]:
    if value == UNLIMITED:
        return UNLIMITED
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    raise bad_value(f"'{value}' is not a limit", "write a whole number or 'unlimited'")


def _size_limit(value: Any) -> Size | Literal["unlimited"]:
    return UNLIMITED if value == UNLIMITED else Size.parse(value)


_UNLIMITED_SCHEMA: JsonSchemaValue = {"const": UNLIMITED}
CountLimit = Annotated[
    int | Literal["unlimited"],
    PlainValidator(_count_limit),
    WithJsonSchema({"oneOf": [{"type": "integer", "minimum": 0}, _UNLIMITED_SCHEMA]}),
]
SizeLimit = Annotated[
    Size | Literal["unlimited"],
    PlainValidator(_size_limit),
    PlainSerializer(str),
    WithJsonSchema({"oneOf": [{"type": "string", "pattern": SIZE_PATTERN}, _UNLIMITED_SCHEMA]}),
]
