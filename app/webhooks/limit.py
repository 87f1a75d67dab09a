"""Refuse a request body over the limit before reading it, and while it streams in.

A declared ``Content-Length`` over the limit is refused before a byte of the body is read;
a body sent without one (chunked) is refused once it passes the limit. Nothing past the
limit is ever read, so a flood of large bodies costs no memory.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

TOO_LARGE = 413


class _TooLarge(Exception):
    """The body passed the limit while it was being read."""


class BodyLimit:
    """ASGI middleware: no request body longer than ``limit`` bytes gets through."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.limit:
            await self._refuse(send)
            return
        seen = 0
        started = False

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.limit:
                raise _TooLarge
            return message

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, watched)
        except _TooLarge:
            if not started:  # the answer is ours to give only if none has begun
                await self._refuse(send)

    async def _refuse(self, send: Send) -> None:
        body = (
            f'{{"error": "the body is larger than {self.limit} bytes, '
            'the most this service accepts"}'
        ).encode()
        headers = [(b"content-type", b"application/json"), (b"connection", b"close")]
        await send({"type": "http.response.start", "status": TOO_LARGE, "headers": headers})
        await send({"type": "http.response.body", "body": body})


def _content_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            return int(value) if value.isdigit() else None
    return None
