"""Build the API client the settings describe: the configured server, or the in-process mock."""

from __future__ import annotations

from collections.abc import Callable

from api_client.client import ApiClient, Timeouts, TraceEvent
from vaxterm.settings import ServerSettings


class NoServerConfigured(Exception):
    """Neither --server, VAXTERM_SERVER__URL nor config.toml names a registry."""

    def __str__(self) -> str:
        return ("no registry address is configured: pass --server https://..., set "
                "VAXTERM_SERVER__URL, or run `vaxterm --mock` for training")


def timeouts(server: ServerSettings) -> Timeouts:
    return Timeouts(connect=server.connect_timeout, read=server.read_timeout,
                    write=server.write_timeout, pool=server.pool_timeout)


def client_for(server: ServerSettings, *, mock: bool = False,
               trace: Callable[[TraceEvent], None] | None = None) -> ApiClient:
    """An `ApiClient` for the configured registry, or the in-process mock (no socket)."""
    if mock:
        from api_client.mock import create_app

        return ApiClient(app=create_app(), timeouts=timeouts(server), trace=trace)
    if not server.url:
        raise NoServerConfigured
    return ApiClient(server.url, timeouts=timeouts(server), ca_bundle=server.ca_bundle,
                     pin_sha256=server.pin_sha256, trace=trace)
