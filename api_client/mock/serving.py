"""Serving the mock over uvicorn with limits for slow clients (DESIGN.md §3).

uvicorn closes a connection idle between requests (`timeout_keep_alive`) but waits for
ever for a request's headers: a client sending one byte per second holds a connection
(and, many times over, the server). `GuardedH11` closes a connection whose request line
and headers have not all arrived within `header_timeout` seconds; the app itself bounds
the time a body may take (`MockConfig.body_timeout_s`).
"""

from __future__ import annotations

import asyncio
from typing import Any

import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

HEADER_TIMEOUT = 10.0  # seconds for a request line and its headers
KEEP_ALIVE = 5  # seconds an idle connection is kept between requests


class GuardedH11(H11Protocol):
    header_timeout = HEADER_TIMEOUT

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        self._header_timer: asyncio.TimerHandle | None = None
        super().connection_made(transport)
        self._arm()

    def _arm(self) -> None:
        if self._header_timer is None:
            self._header_timer = self.loop.call_later(self.header_timeout, self._too_slow)

    def _disarm(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _too_slow(self) -> None:
        self._header_timer = None
        if not self.transport.is_closing():
            self.transport.close()

    def data_received(self, data: bytes) -> None:
        if self.cycle is None or self.cycle.response_complete:
            self._arm()  # bytes of a new request: its headers are on the clock
        before = self.cycle
        super().data_received(data)
        if self.cycle is not before:
            self._disarm()  # the headers are in; the body has the app's own limit

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)


def guarded_h11(header_timeout: float = HEADER_TIMEOUT) -> type[GuardedH11]:
    return type("GuardedH11", (GuardedH11,), {"header_timeout": header_timeout})


def server_config(app: Any, host: str, port: int, *, header_timeout: float = HEADER_TIMEOUT,
                  keep_alive: int = KEEP_ALIVE, **options: Any) -> uvicorn.Config:
    """A uvicorn config for the mock with the slow-client limits; `options` go to uvicorn."""
    return uvicorn.Config(app, host=host, port=port, http=guarded_h11(header_timeout),
                          timeout_keep_alive=keep_alive, **options)
