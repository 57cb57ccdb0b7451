"""Build the API client the settings describe: the configured server, or the in-process mock."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
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
    return ApiClient(locate_base(server, trace), timeouts=timeouts(server),
                     ca_bundle=server.ca_bundle, pin_sha256=server.pin_sha256,
                     proxy=server.proxy, trace=trace)


def locate_base(server: ServerSettings,
                trace: Callable[[TraceEvent], None] | None = None) -> str:
    """The API base to use: the address as given when GET /meta answers there, else with
    /api/v2 added (`http://host:port` is what a trainer types). The candidates and what
    counts as "not there" are doctor's (api_client.addresses). One GET /meta, and only for
    an address without /api/v2; a failure other than "not there" keeps the address as given,
    and signing in says what is wrong with it."""
    from api_client import errors as e
    from api_client.addresses import candidate_bases, is_not_there, safe_url

    *tried, last = candidate_bases(server.url)
    for base in tried:
        try:
            _in_own_loop(_ask_meta(server, base, trace))
        except e.ApiError as problem:
            if is_not_there(problem.code):
                continue
        return base
    if tried:
        logging.getLogger("vaxterm").info("no registry API at %s; using %s",
                                          safe_url(tried[0]), safe_url(last))
    return last


async def _ask_meta(server: ServerSettings, base: str,
                    trace: Callable[[TraceEvent], None] | None) -> None:
    from api_client.client import ApiClient
    from api_client.retry import NO_RETRY

    async with ApiClient(base, timeouts=timeouts(server), ca_bundle=server.ca_bundle,
                         pin_sha256=server.pin_sha256, proxy=server.proxy, retry=NO_RETRY,
                         trace=trace) as probe:
        await probe.meta()


def _in_own_loop(call: Coroutine[Any, Any, None]) -> None:
    """Run `call` to its end on an event loop of its own thread: the caller may be on the
    app's loop, or in a thread of it."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, call).result()
