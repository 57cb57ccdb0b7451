from __future__ import annotations

import pytest

from api_client import errors as e
from vaxterm.connection import NoServerConfigured, client_for
from vaxterm.settings import ServerSettings

pytestmark = pytest.mark.anyio


async def test_timeouts_come_from_settings() -> None:
    server = ServerSettings(url="https://registry.example/api/v2", connect_timeout=2,
                            read_timeout=7, write_timeout=3, pool_timeout=1)
    async with client_for(server) as client:
        timeout = client._http.timeout
        assert (timeout.connect, timeout.read, timeout.write, timeout.pool) == (2, 7, 3, 1)


async def test_the_mock_runs_in_process() -> None:
    async with client_for(ServerSettings(), mock=True) as client:
        assert (await client.meta()).environment == "training"


def test_no_server_says_what_to_do() -> None:
    with pytest.raises(NoServerConfigured, match="--mock"):
        client_for(ServerSettings())


def test_a_malformed_address_is_refused() -> None:
    with pytest.raises(e.InsecureConnection):
        client_for(ServerSettings(url="registry.example"))
