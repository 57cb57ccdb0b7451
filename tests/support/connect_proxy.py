"""A CONNECT proxy on 127.0.0.1, either tunnelling honestly or intercepting TLS with a
certificate of its own CA (what a hostile proxy on a workstation does). It records every
byte it sees from the client, so a test can say what a proxy could read."""

from __future__ import annotations

import asyncio
import contextlib
import ssl
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field


@dataclass
class Proxy:
    url: str = ""
    connects: list[str] = field(default_factory=list)  # the CONNECT targets asked for
    seen: bytearray = field(default_factory=bytearray)  # every byte the client sent


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                record: bytearray | None) -> None:
    with contextlib.suppress(ConnectionError, asyncio.IncompleteReadError):
        while data := await reader.read(65536):
            if record is not None:
                record.extend(data)
            writer.write(data)
            await writer.drain()
    writer.close()


@asynccontextmanager
async def connect_proxy(intercept: ssl.SSLContext | None = None) -> AsyncIterator[Proxy]:
    """Tunnel to the asked 127.0.0.1 port, or, with `intercept` (a server context), end
    the client's TLS here, read the request in the clear and answer 200 itself."""
    state = Proxy()
    handlers: set[asyncio.Task[None]] = set()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        handlers.add(task)
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            state.seen.extend(head)
            method, target, _ = head.decode("latin-1").split("\r\n")[0].split(" ", 2)
            state.connects.append(target)
            host, _, port = target.rpartition(":")
            if method != "CONNECT" or host not in ("127.0.0.1", "[::1]"):
                writer.write(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
                return
            if intercept is not None:
                writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
                await writer.drain()
                await writer.start_tls(intercept)
                while data := await reader.read(65536):
                    state.seen.extend(data)
                    if b"\r\n\r\n" in data:
                        writer.write(b"HTTP/1.1 500 X\r\nContent-Length: 0\r\n\r\n")
                        await writer.drain()
                return
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", int(port))
            writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
            await writer.drain()
            await asyncio.gather(_pipe(reader, up_writer, state.seen),
                                 _pipe(up_reader, writer, None))
        except (ConnectionError, asyncio.IncompleteReadError, ssl.SSLError, ValueError,
                asyncio.LimitOverrunError, asyncio.CancelledError):
            pass  # a refused handshake or teardown: the proxy just stops
        finally:
            writer.close()
            handlers.discard(task)

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    state.url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
    try:
        yield state
    finally:
        server.close()
        for task in list(handlers):
            task.cancel()
        await asyncio.gather(*handlers, return_exceptions=True)
        await server.wait_closed()
