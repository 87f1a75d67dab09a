"""Read a webhook's body only as far as its sender is proven, then decode it for the parsers.

Until the signature is checked the body is untrusted: past a small size it waits on disk,
not in memory, so many large unsigned bodies at once cost the service almost nothing.
Decoding failures become sentences for the sender, never Python's words.
"""

from __future__ import annotations

import json
from tempfile import SpooledTemporaryFile
from typing import Any, Protocol

from starlette.requests import Request

from app.forges.payload import Malformed

IN_MEMORY = 1 << 20  # bytes of an unproven body kept in memory; the rest is spooled to disk


class Check(Protocol):
    """Proof of the sender, fed the body as it streams in."""

    def update(self, chunk: bytes) -> None: ...

    def valid(self) -> bool: ...


class ByHeader:
    """The sender was proven by a header alone (GitLab's token): the body needs no proof."""

    def update(self, chunk: bytes) -> None:
        pass

    def valid(self) -> bool:
        return True


async def read_verified(request: Request, check: Check) -> bytes | None:
    """The body if ``check`` holds for it, else None."""
    with SpooledTemporaryFile(max_size=IN_MEMORY) as spool:
        async for chunk in request.stream():
            check.update(chunk)
            spool.write(chunk)
        if not check.valid():
            return None
        spool.seek(0)
        return spool.read()


def decode(body: bytes) -> dict[str, Any]:
    """The JSON object ``body`` holds; Malformed saying what is wrong with it otherwise."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise Malformed(f"the body is not UTF-8 text (byte {error.start} is not)") from None
    try:
        payload = json.loads(text, object_pairs_hook=_unique)
    except Malformed:  # a repeated key, said by _unique
        raise
    except RecursionError:
        raise Malformed("the body nests arrays or objects too deeply to be an event") from None
    except json.JSONDecodeError as error:
        where = f"line {error.lineno} column {error.colno}"
        raise Malformed(f"the body is not JSON: {error.msg.lower()} at {where}") from None
    except ValueError:  # Python refuses to read integers of more than 4300 digits
        raise Malformed("the body holds a number too long to be one an event has") from None
    if not isinstance(payload, dict):
        raise Malformed("the body is JSON but not an object, which every event is")
    return payload


def _unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """An object whose keys are all different: with a repeated key, which one counts would
    depend on the reader, so none is chosen."""
    found: dict[str, Any] = {}
    for key, value in pairs:
        if key in found:
            raise Malformed(f"the body repeats the key {json.dumps(key[:64])} in one object")
        found[key] = value
    return found
