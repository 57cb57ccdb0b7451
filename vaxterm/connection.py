"""Build the API client the settings describe: the configured server, or the in-process mock."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from vaxterm.settings import ServerSettings

if TYPE_CHECKING:  # httpx loads with the client, on first use, after the first paint
    from api_client.client import ApiClient, TraceEvent
    from api_client.timeouts import Timeouts


class NoServerConfigured(Exception):
    """Neither --server, VAXTERM_SERVER__URL nor config.toml names a registry."""

    def __str__(self) -> str:
        return ("no registry address is configured: pass --server https://..., set "
                "VAXTERM_SERVER__URL, or run `vaxterm --mock` for training")


def timeouts(server: ServerSettings) -> Timeouts:
    from api_client.timeouts import Timeouts

    return Timeouts(connect=server.connect_timeout, read=server.read_timeout,
                    write=server.write_timeout, pool=server.pool_timeout,
                    total=server.total_timeout)


class LazyMock:
    """The in-process mock registry, built on its first request, so the login screen paints
    before the mock's population and web framework are loaded."""

    def __init__(self) -> None:
        self._app: Any = None
        self._building = asyncio.Lock()

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if self._app is None:
            async with self._building:
                if self._app is None:
                    # Off the event loop, so the screen keeps answering keys meanwhile.
                    self._app = await asyncio.to_thread(_build_mock)
        await self._app(scope, receive, send)


def _build_mock() -> Any:
    from api_client.mock import create_app

    return create_app()


def client_for(server: ServerSettings, *, mock: bool = False,
               trace: Callable[[TraceEvent], None] | None = None) -> ApiClient:
    """An `ApiClient` for the configured registry, or the in-process mock (no socket)."""
    from api_client.client import ApiClient

    if mock:
        return ApiClient(app=LazyMock(), timeouts=timeouts(server), trace=trace)
    if not server.url:
        raise NoServerConfigured
    return ApiClient(server.url, timeouts=timeouts(server), ca_bundle=server.ca_bundle,
                     pin_sha256=server.pin_sha256, proxy=server.proxy, trace=trace)
