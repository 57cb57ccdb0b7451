"""A raw HTTP/1.1 server on 127.0.0.1 that misbehaves on purpose.

Each request is handed to a `Behaviour` coroutine with the parsed request and the raw
writer, so a test can answer with anything: garbage, half a body, nothing at all.
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


Behaviour = Callable[[Received, asyncio.StreamWriter], Awaitable[None]]


@dataclass
class Hostile:
    base_url: str
    requests: list[Received] = field(default_factory=list)


def answer(status: int, body: bytes, content_type: str = "application/json",
           extra: str = "") -> bytes:
    head = (f"HTTP/1.1 {status} X\r\nContent-Type: {content_type}\r\n"
            f"Content-Length: {len(body)}\r\nX-Request-Id: hostile-{status}\r\n{extra}\r\n")
    return head.encode() + body


async def _read_request(reader: asyncio.StreamReader) -> Received | None:
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except (asyncio.IncompleteReadError, ConnectionError):
        return None
    lines = head.decode("latin-1").split("\r\n")
    method, path, _ = lines[0].split(" ", 2)
    headers = {k.strip().lower(): v.strip() for k, _, v in
               (line.partition(":") for line in lines[1:] if line)}
    body = await reader.readexactly(int(headers.get("content-length", "0")))
    return Received(method, path, headers, body)


@asynccontextmanager
async def hostile_server(behaviour: Behaviour, tls: ssl.SSLContext | None = None
                         ) -> AsyncIterator[Hostile]:
    server_state = Hostile("")
    handlers: set[asyncio.Task[None]] = set()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        handlers.add(task)
        try:
            while (request := await _read_request(reader)) is not None:
                server_state.requests.append(request)
                await behaviour(request, writer)
                if writer.is_closing():
                    break
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.CancelledError):
            pass  # cancelled at teardown: end quietly, asyncio logs a cancelled handler
        finally:
            writer.close()
            handlers.discard(task)

    server = await asyncio.start_server(handle, "127.0.0.1", 0, ssl=tls)
    port = server.sockets[0].getsockname()[1]
    scheme = "https" if tls else "http"
    server_state.base_url = f"{scheme}://127.0.0.1:{port}/api/v2"
    try:
        yield server_state
    finally:
        server.close()
        for task in list(handlers):  # a stalled answer must not outlive the test
            task.cancel()
        await asyncio.gather(*handlers, return_exceptions=True)
        await server.wait_closed()
