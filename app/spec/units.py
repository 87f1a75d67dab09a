"""Sizes written with binary units (``512MiB``, ``40GiB``, ``2TiB``), held exactly in MiB."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import PydanticCustomError, core_schema

UNITS_MIB = {"MiB": 1, "GiB": 1024, "TiB": 1024 * 1024}
SIZE_PATTERN = r"^\s*[0-9]+(\.[0-9]+)?\s*(MiB|GiB|TiB)\s*$"
_SIZE = re.compile(r"^\s*(?P<number>[0-9]+(?:\.[0-9]+)?)\s*(?P<unit>[A-Za-z]*)\s*$")
# People write decimal or short units out of habit; we say which binary unit they meant.
_LOOKALIKES = {
    "m": "MiB", "mb": "MiB", "mi": "MiB", "mib": "MiB",
    "g": "GiB", "gb": "GiB", "gi": "GiB", "gib": "GiB",
    "t": "TiB", "tb": "TiB", "ti": "TiB", "tib": "TiB",
}  # fmt: skip
MAX_MIB = 1024**4  # 1 EiB: anything above is a typo, not a disk


def _bad(message: str, hint: str) -> PydanticCustomError:
    return PydanticCustomError("bad_size", message, {"hint": hint})


class Size:
    """A size in whole MiB; renders in the largest unit that keeps it whole."""

    __slots__ = ("mib",)

    def __init__(self, mib: int) -> None:
        self.mib = mib

    @classmethod
    def parse(cls, value: Any) -> Size:
        if isinstance(value, Size):
            return value
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise _bad("expected a size such as '40GiB'", "write a number and a unit")
        match = _SIZE.match(str(value))
        if not match:
            raise _bad(f"'{value}' is not a size", "write a number and a unit, e.g. '40GiB'")
        number, unit = match["number"], match["unit"]
        if not unit:
            raise _bad(f"size '{value}' has no unit", f"write '{number}GiB' or '{number}MiB'")
        if unit not in UNITS_MIB:
            meant = _LOOKALIKES.get(unit.lower())
            hint = f"did you mean '{number}{meant}'?" if meant else "use MiB, GiB or TiB"
            raise _bad(f"unknown size unit '{unit}'", hint)
        try:
            mib = Decimal(number) * UNITS_MIB[unit]
        except InvalidOperation:  # pragma: no cover - the regex admits only decimals
            raise _bad(f"'{value}' is not a size", "write a number and a unit") from None
        if mib != mib.to_integral_value():
            raise _bad(f"size '{value}' is not a whole number of MiB", "round it to whole MiB")
        if not 0 < mib <= MAX_MIB:
            raise _bad(f"size '{value}' is out of range", "use a size above 0 and below 1EiB")
        return cls(int(mib))

    @property
    def gib(self) -> float:
        return self.mib / 1024

    def __str__(self) -> str:
        for unit, factor in sorted(UNITS_MIB.items(), key=lambda item: -item[1]):
            if self.mib % factor == 0:
                return f"{self.mib // factor}{unit}"
        return f"{self.mib}MiB"  # pragma: no cover - MiB always divides

    def __repr__(self) -> str:
        return f"Size({self})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Size) and other.mib == self.mib

    def __hash__(self) -> int:
        return hash(self.mib)

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
        return {"type": "string", "pattern": SIZE_PATTERN, "examples": ["40GiB", "512MiB"]}
