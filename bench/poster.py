"""A lean HTTP/1.1 POST client for the webhook benchmark: keep-alive connections on asyncio
streams, one request at a time on each, a new connection whenever none is free.

httpx's pool hands connections to waiting requests in time that grows with how many wait, so
an open-loop client falling behind by a hundred requests spends its CPU on its own queue and
falls further behind: it measured itself, not the server. This one costs the same per request
however many are in flight.
"""

from __future__ import annotations

import asyncio
from urllib.parse import urlsplit


class Poster:
    """POSTs to one server; ``post`` answers the status code."""

    def __init__(self, base: str) -> None:
        split = urlsplit(base)
        self.host, self.port = split.hostname or "127.0.0.1", split.port or 80
        self.idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []

    async def post(self, path: str, body: bytes, headers: dict[str, str]) -> int:
        lines = [f"POST {path} HTTP/1.1", f"Host: {self.host}:{self.port}"]
        lines += [f"{name}: {value}" for name, value in headers.items()]
        lines.append(f"Content-Length: {len(body)}")
        request = ("\r\n".join(lines) + "\r\n\r\n").encode() + body
        while self.idle:
            reader, writer = self.idle.pop()
            try:
                status = None if reader.at_eof() else await self._exchange(reader, writer, request)
            except ConnectionError:  # the server's keep-alive timeout closed it as it was sent
                status = None
            if status is not None:
                return status
            writer.close()  # closed while idle: the server answers nothing on it, so send anew
        reader, writer = await asyncio.open_connection(self.host, self.port)
        status = await self._exchange(reader, writer, request)
        if status is None:
            raise ConnectionError("the server hung up without answering")
        return status

    async def _exchange(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes
    ) -> int | None:
        """The answer's status, or None when the connection closed before one came."""
        writer.write(request)
        status_line = await reader.readline()
        if not status_line:
            return None
        length, closing = 0, False
        while (line := await reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            if name.lower() == "content-length":
                length = int(value)
            elif name.lower() == "connection" and value.strip().lower() == "close":
                closing = True
        await reader.readexactly(length)
        if closing:
            writer.close()
        else:
            self.idle.append((reader, writer))
        return int(status_line.split()[1])

    async def close(self) -> None:
        for _, writer in self.idle:
            writer.close()
        self.idle.clear()
