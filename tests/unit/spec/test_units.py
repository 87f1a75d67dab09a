"""Sizes and port ranges: what is accepted, what it means, what is refused and with which hint."""

from __future__ import annotations

import pytest
from pydantic_core import PydanticCustomError

from app.spec.fields import PortRange
from app.spec.units import Size


@pytest.mark.parametrize(
    ("text", "mib", "shown"),
    [
        ("512MiB", 512, "512MiB"),
        ("40GiB", 40 * 1024, "40GiB"),
        ("40 GiB", 40 * 1024, "40GiB"),
        ("1.5GiB", 1536, "1536MiB"),
        ("2TiB", 2 * 1024 * 1024, "2TiB"),
        ("1024GiB", 1024 * 1024, "1TiB"),
    ],
)
def test_sizes_are_exact(text: str, mib: int, shown: str) -> None:
    size = Size.parse(text)
    assert size.mib == mib
    assert str(size) == shown


@pytest.mark.parametrize(
    ("value", "message", "hint"),
    [
        ("40GB", "unknown size unit 'GB'", "did you mean '40GiB'?"),
        ("40g", "unknown size unit 'g'", "did you mean '40GiB'?"),
        ("512mb", "unknown size unit 'mb'", "did you mean '512MiB'?"),
        ("40", "size '40' has no unit", "write '40GiB' or '40MiB'"),
        (40, "size '40' has no unit", "write '40GiB' or '40MiB'"),
        ("0GiB", "size '0GiB' is out of range", "use a size above 0 and below 1EiB"),
        ("0.3MiB", "size '0.3MiB' is not a whole number of MiB", "round it to whole MiB"),
        ("forty", "'forty' is not a size", "write a number and a unit, e.g. '40GiB'"),
        ("40XB", "unknown size unit 'XB'", "use MiB, GiB or TiB"),
        (True, "expected a size such as '40GiB'", "write a number and a unit"),
    ],
)
def test_bad_sizes_say_what_to_write(value: object, message: str, hint: str) -> None:
    with pytest.raises(PydanticCustomError) as caught:
        Size.parse(value)
    assert caught.value.message() == message
    assert (caught.value.context or {})["hint"] == hint


@pytest.mark.parametrize(
    ("value", "start", "end", "shown"),
    [(443, 443, 443, "443"), ("8000-8100", 8000, 8100, "8000-8100"), ("22", 22, 22, "22")],
)
def test_port_ranges(value: object, start: int, end: int, shown: str) -> None:
    ports = PortRange.parse(value)
    assert (ports.start, ports.end, str(ports)) == (start, end, shown)


@pytest.mark.parametrize("value", [0, 70000, "90-80", "http", True, "1-2-3"])
def test_bad_port_ranges(value: object) -> None:
    with pytest.raises(PydanticCustomError):
        PortRange.parse(value)
